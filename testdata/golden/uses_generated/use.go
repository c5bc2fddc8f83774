package usesgenerated

import (
	"context"

	"github.com/wampgen/wampgen/runtime"
)

// Connect returns a client for the service and serves impl.
func Connect(ctx context.Context, sess *runtime.Session, impl Echo) (Echo, *runtime.Registrations, error) {
	regs, err := RegisterEcho(ctx, sess, impl)
	if err != nil {
		return nil, nil, err
	}
	return NewEchoClient(sess), regs, nil
}

// procedure is the URI of Echo.Echo.
var procedure = EchoEchoProcedure
