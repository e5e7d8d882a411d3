module debugtest

go 1.22
