package cover

import "testing"

func TestClassify(t *testing.T) {
	if Classify(-1) != "negative" || Classify(3) != "small" {
		t.Fatal("bad")
	}
}

func TestSum(t *testing.T) {
	if Sum(100) != 5050 {
		t.Fatal("bad sum")
	}
}
