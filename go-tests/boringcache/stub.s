// Present so that main.go may declare functions without a body (their
// bodies are linknamed from the runtime).
