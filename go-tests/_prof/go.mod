module prof

go 1.22
