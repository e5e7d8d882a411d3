module gort.test

go 1.22
