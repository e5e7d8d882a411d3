// os/exec: running other programs (fork and exec hooks), capturing large
// outputs through pipes while waiting, exit codes, stdin, and a child that
// is this same program.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		fmt.Print(strings.Repeat("x", 1<<20))
		fmt.Fprintln(os.Stderr, "child stderr")
		os.Exit(7)
	}
	out, err := exec.Command("echo", "hello", "from", "echo").Output()
	fmt.Printf("echo: %q %v\n", out, err)

	cmd := exec.Command("cat")
	cmd.Stdin = strings.NewReader("through cat\n")
	out, err = cmd.Output()
	fmt.Printf("cat: %q %v\n", out, err)

	var stdout, stderr bytes.Buffer
	self := exec.Command(os.Args[0], "child")
	self.Stdout, self.Stderr = &stdout, &stderr
	err = self.Run()
	var ee *exec.ExitError
	fmt.Println("child stdout bytes:", stdout.Len(), "stderr:", strings.TrimSpace(stderr.String()))
	fmt.Println("child exit code:", errors.As(err, &ee) && ee.ExitCode() == 7)

	_, err = exec.Command("/nonexistent/program").Output()
	fmt.Println("missing program:", err)

	out, err = exec.Command("sh", "-c", "exit 3").CombinedOutput()
	fmt.Printf("sh exit: %q %v\n", out, err)
}
