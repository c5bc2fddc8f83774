package errorsonlyfile

import "errors"

// ErrNoSuchFile is returned by Files.Read.
//
//wampgen:error uri=com.example.files.error.no_such_file
var ErrNoSuchFile = errors.New("no such file")

// PermissionError is returned by Files.Read.
//
//wampgen:error uri=com.example.files.error.permission
type PermissionError struct {
	Path string `json:"path"`
}

func (e *PermissionError) Error() string { return "permission denied: " + e.Path }
