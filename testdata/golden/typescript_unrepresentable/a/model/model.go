// Package model is one of two packages named model.
package model

// Point is a point in a plane.
type Point struct{ X, Y int }
