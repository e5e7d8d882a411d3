module gort.test/panicnil120

go 1.20
