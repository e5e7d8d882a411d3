module gort.examples

go 1.22
