// Package model is the other package named model.
package model

// Point is a point in space.
type Point struct{ X, Y, Z int }
