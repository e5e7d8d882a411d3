//go:build race

package main

// In race builds, map lookups go through the race detector's runtime
// (gort's leaf fast paths decline there), whose samples upstream's
// profile counts outside the caller: the share of samples under mapLoop
// is not compared there.
const raceBuild = true
