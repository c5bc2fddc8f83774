package runtime_test

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	nxrouter "github.com/gammazero/nexus/v3/router"
	"github.com/gammazero/nexus/v3/transport"
	"github.com/gammazero/nexus/v3/transport/serialize"
	nxwamp "github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// startPlainNexus runs nexus's own router (not the embedded router, whose
// ledger filters repeated CALL request IDs) on a WebSocket test server and
// returns its URL.
func startPlainNexus(t *testing.T) string {
	t.Helper()
	nx, err := nxrouter.NewRouter(&nxrouter.Config{RealmConfigs: []*nxrouter.RealmConfig{{
		URI:           "realm1",
		AnonymousAuth: true,
	}}}, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(nxrouter.NewWebsocketServer(nx))
	t.Cleanup(nx.Close)
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// rawCaller is a caller that picks its own CALL request IDs, as a hostile
// or broken client may: nexus's transport, without its client.
type rawCaller struct {
	t    *testing.T
	peer nxwamp.Peer
}

func dialRawCaller(t *testing.T, url string) *rawCaller {
	t.Helper()
	peer, err := transport.ConnectWebsocketPeer(testCtx(t), url, serialize.JSON, nil, log.New(io.Discard, "", 0), nil)
	if err != nil {
		t.Fatalf("raw caller: %v", err)
	}
	t.Cleanup(peer.Close)
	rc := &rawCaller{t: t, peer: peer}
	feats := nxwamp.Dict{"progressive_call_invocations": true, "call_canceling": true}
	peer.Send() <- &nxwamp.Hello{Realm: "realm1", Details: nxwamp.Dict{"roles": nxwamp.Dict{"caller": nxwamp.Dict{"features": feats}}}}
	if _, ok := rc.next().(*nxwamp.Welcome); !ok {
		t.Fatal("raw caller: no WELCOME")
	}
	return rc
}

func (rc *rawCaller) call(req nxwamp.ID, procedure string, progress bool, arg any) {
	opts := nxwamp.Dict{}
	if progress {
		opts[nxwamp.OptProgress] = true
	}
	rc.peer.Send() <- &nxwamp.Call{Request: req, Options: opts, Procedure: nxwamp.URI(procedure), Arguments: nxwamp.List{arg}}
}

func (rc *rawCaller) next() nxwamp.Message {
	rc.t.Helper()
	select {
	case m, ok := <-rc.peer.Recv():
		if !ok {
			rc.t.Fatal("raw caller: the router closed the connection")
		}
		return m
	case <-testCtx(rc.t).Done():
		rc.t.Fatal("raw caller: no message from the router")
	}
	return nil
}

// result waits for the RESULT of req and returns its first argument.
func (rc *rawCaller) result(req nxwamp.ID) any {
	rc.t.Helper()
	m := rc.next()
	r, ok := m.(*nxwamp.Result)
	if !ok || r.Request != req || len(r.Arguments) != 1 {
		rc.t.Fatalf("raw caller: got %s %+v, want RESULT %d with one argument", m.MessageType(), m, req)
	}
	return r.Arguments[0]
}

// TestRepeatedCallIDPlainNexus: nexus's dealer takes a CALL repeating the
// request ID of a call still running as a continuation, and sends the callee
// an INVOCATION repeating the running invocation's ID, whether the CALL
// asks for progress or not, and for a procedure without streamed input or
// after an input's last chunk. The callee drops it: its session, serving
// every other caller, goes on, and the running call gets its real result.
func TestRepeatedCallIDPlainNexus(t *testing.T) {
	for _, tc := range []struct {
		name           string
		streamed       bool
		repeatProgress bool
	}{
		{"plain, repeat without progress", false, false},
		{"plain, repeat with progress", false, true},
		{"streamed after the last chunk, repeat without progress", true, false},
		{"streamed after the last chunk, repeat with progress", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := startPlainNexus(t)
			ctx := testCtx(t)
			var lg syncBuffer
			callee := dialT(t, url, runtime.Config{Serializer: wamp.MsgPack, Logger: lg.logger()})
			started := make(chan int, 4)
			release := make(chan struct{})
			var opts []runtime.RegisterOption
			if tc.streamed {
				opts = append(opts, runtime.WithStreamedInput())
			}
			if _, err := callee.Register(ctx, "com.test.held", func(hctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				n := 0
				if tc.streamed {
					for _, err := range inv.Input() {
						if err != nil {
							return nil, err
						}
						n++
					}
				}
				started <- n
				select {
				case <-release:
				case <-hctx.Done():
					return nil, context.Cause(hctx)
				}
				return &runtime.Result{Args: wamp.ArgsOf("real")}, nil
			}, opts...); err != nil {
				t.Fatal(err)
			}
			if _, err := callee.Register(ctx, "com.test.echo", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				return &runtime.Result{Args: inv.Args}, nil
			}); err != nil {
				t.Fatal(err)
			}

			rc := dialRawCaller(t, url)
			if tc.streamed {
				rc.call(1, "com.test.held", true, "first chunk")
			}
			rc.call(1, "com.test.held", false, "last chunk")
			want := 0 // chunks the handler reads before it blocks
			if tc.streamed {
				want = 2
			}
			if n := recvWithin(t, started, "the handler's start"); n != want {
				t.Fatalf("the handler read %d chunks, want %d", n, want)
			}
			rc.call(1, "com.test.held", tc.repeatProgress, "repeat")
			// The same connection, in order: when the echo answers, the
			// callee has read the repeated INVOCATION.
			rc.call(2, "com.test.echo", false, "after the repeat")
			if got := rc.result(2); got != "after the repeat" {
				t.Fatalf("echo after the repeat = %v", got)
			}
			other := dialT(t, url, runtime.Config{})
			res, err := other.Call(ctx, "com.test.echo", wamp.ArgsOf("other caller"), wamp.Payload{})
			if err != nil || argString(t, res.Args, 0) != "other caller" {
				t.Fatalf("another caller's call after the repeat: %v, %v", res, err)
			}
			select {
			case <-callee.Done():
				t.Fatal("the callee's session ended")
			default:
			}
			close(release)
			if got := rc.result(1); got != "real" {
				t.Fatalf("the held call's result = %v, want real", got)
			}
			select {
			case n := <-started:
				t.Fatalf("the repeat ran a second handler (%d chunks)", n)
			default:
			}
			if lg.lines("repeating the request ID of an invocation still running") == 0 {
				t.Error("the dropped INVOCATION was not logged")
			}
		})
	}
}

// TestRepeatedInvocationsLoggedOnce: a burst of INVOCATIONs repeating the
// ID of a running invocation, plain and oversized, is dropped with one log
// line, not one per message; the running invocation and the session go on.
func TestRepeatedInvocationsLoggedOnce(t *testing.T) {
	var lg secBuffer
	srv := startRogue(t, "websocket", wamp.MsgPack, true)
	rs := dialRogue(t, srv, runtime.Config{Logger: slog.New(slog.NewTextHandler(&lg, nil))})
	rs.rc.send(&wamp.Invocation{Request: 600, Registration: rogueRegistration, Details: wamp.Dict{}, Args: wamp.ArgsOf("block")})
	const n = 50
	for range n {
		rs.rc.send(&wamp.Invocation{Request: 600, Registration: rogueRegistration, Details: wamp.Dict{}, Args: wamp.ArgsOf("repeat")})
		rs.rc.send(&wamp.Invocation{Request: 600, Registration: rogueRegistration, Details: wamp.Dict{}, Args: rogueOversizedArgs()})
	}
	rs.expectRepeatDropped(600) // after every repeat: the connection reads in order
	const what = "dropped INVOCATIONs repeating the request ID"
	if got := strings.Count(lg.String(), what); got != 1 {
		t.Fatalf("%d log lines %q for %d messages, want 1:\n%s", got, what, 2*n, lg.String())
	}
	if !strings.Contains(lg.String(), "count=1 ") {
		t.Errorf("the first repeat is not logged at once:\n%s", lg.String())
	}
}
