module debugcall

go 1.22
