// Package erroridentity re-declares errors, its own and another package's,
// under URIs of their own: one Go error cannot have two URIs, so each is a
// diagnostic, where the runtime would stop the program at start-up.
// Re-declaring one under the URI it already has, or an error nobody mapped,
// is fine.
package erroridentity

import (
	"errors"

	"github.com/wampgen/wampgen/testdata/golden/error_identity/old"
)

// ErrGone is old.ErrGone under a new URI.
//
//wampgen:error uri=com.example.new.gone
var ErrGone = old.ErrGone

// NotFound is old.NotFound under a new URI.
//
//wampgen:error uri=com.example.new.not_found
type NotFound = old.NotFound

// ErrStillGone is old.ErrGone under its own URI: fine.
//
//wampgen:error uri=com.example.old.gone
var ErrStillGone = (old.ErrGone)

// ErrPlain is old.ErrPlain, which old does not map: fine.
//
//wampgen:error uri=com.example.new.plain
var ErrPlain = old.ErrPlain

// ErrPlainAgain maps old.ErrPlain a second time, to another URI.
//
//wampgen:error uri=com.example.new.plain_again
var ErrPlainAgain = old.ErrPlain

// ErrLocal is mapped.
//
//wampgen:error uri=com.example.new.local
var ErrLocal = errors.New("local")

// ErrLocalCopy is ErrLocal under another URI.
//
//wampgen:error uri=com.example.new.local_copy
var ErrLocalCopy = ErrLocal

// Local is mapped.
//
//wampgen:error uri=com.example.new.local_type
type Local struct{}

func (Local) Error() string { return "local" }

// LocalAlias is Local under another URI.
//
//wampgen:error uri=com.example.new.local_alias
type LocalAlias = Local
