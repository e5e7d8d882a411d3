//go:build !faketime

// The playground's simulated clock (src/base/faketime.rs): off.

package runtime

var faketime int64
