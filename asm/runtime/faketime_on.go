//go:build faketime

// The playground's simulated clock (src/base/faketime.rs): on, starting at
// 2009-11-10 23:00:00 UTC.

package runtime

var faketime int64 = 1257894000000000000
