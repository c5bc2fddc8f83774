// Package model is one of two packages named model.
package model

// Point is a point.
type Point struct{ X, Y int }
