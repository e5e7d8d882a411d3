module cover

go 1.22
