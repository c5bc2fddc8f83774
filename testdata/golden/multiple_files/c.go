package multiplefiles

// Input has no directive, so c.go gets no output.
type Input struct {
	N int `json:"n"`
}
