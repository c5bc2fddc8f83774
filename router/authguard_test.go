package router_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wampgen/wampgen/router"
)

// dialRawJSONFrom is dialRawJSON from a given loopback address, so that a
// test can play clients on several hosts.
func dialRawJSONFrom(t testing.TB, url, localIP string) *rawJSON {
	t.Helper()
	nd := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(localIP)}, Timeout: testTimeout}
	d := websocket.Dialer{
		Subprotocols:     []string{"wamp.2.json"},
		HandshakeTimeout: testTimeout,
		NetDialContext:   nd.DialContext,
	}
	conn, _, err := d.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &rawJSON{t: t, conn: conn}
}

// hello sends a HELLO that asks for authentication with method as authid.
func (c *rawJSON) hello(realm, authid, method string) {
	c.t.Helper()
	c.send(fmt.Sprintf(`[1,%q,{"roles":{"caller":{}},"authid":%q,"authmethods":[%q]}]`, realm, authid, method))
}

// next reads the next WAMP message and returns its type code and elements.
func (c *rawJSON) next() (int, []any) {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(testTimeout))
	_, b, err := c.conn.ReadMessage()
	if err != nil {
		c.t.Fatalf("waiting for a message: %v", err)
	}
	var msg []any
	if err := json.Unmarshal(b, &msg); err != nil || len(msg) == 0 {
		c.t.Fatalf("router sent %s", b)
	}
	code, _ := msg[0].(float64)
	return int(code), msg
}

// abortText returns the reason and details.message of an ABORT.
func abortText(t testing.TB, msg []any) (reason, text string) {
	t.Helper()
	if len(msg) != 3 {
		t.Fatalf("ABORT %v", msg)
	}
	details, _ := msg[1].(map[string]any)
	text, _ = details["message"].(string)
	reason, _ = msg[2].(string)
	return reason, text
}

// safeText is the shape of every text the router may send a client about
// a failed authentication: words, no numbers, addresses or Go values.
var safeText = regexp.MustCompile(`^[A-Za-z][A-Za-z ,;]*$`)

func checkSafe(t testing.TB, text string) {
	t.Helper()
	if !safeText.MatchString(text) || strings.Contains(text, "0x") || strings.Contains(text, "&{") {
		t.Errorf("text %q sent to the client is not a fixed safe phrase", text)
	}
}

// TestAuthAbortTextIsSafe sends CALL where AUTHENTICATE is due, for every
// challenge-response method. nexus used to answer with the %v of its
// internal peer struct: heap addresses and timer state.
func TestAuthAbortTextIsSafe(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r := startRouter(t, router.Config{
		AuthFailureLimit: -1,
		Realms: []router.RealmConfig{{
			Name: "secure",
			Users: []router.User{
				{AuthID: "tom", Ticket: "t1cket"},
				{AuthID: "cara", Secret: "cra-secret"},
				{AuthID: "sally", Secret: "salted", Salt: "NaCl"},
				{AuthID: "cyril", PublicKey: pub},
			},
		}},
	})
	for _, tc := range []struct{ authid, method string }{
		{"tom", "ticket"}, {"cara", "wampcra"}, {"sally", "wampcra"}, {"cyril", "cryptosign"},
		{"mallory", "ticket"}, {"mallory", "wampcra"},
	} {
		t.Run(tc.authid+"/"+tc.method, func(t *testing.T) {
			c := dialRawJSON(t, r.WebSocketURL())
			c.hello("secure", tc.authid, tc.method)
			code, _ := c.next()
			if code != 4 {
				t.Fatalf("got message %d, want CHALLENGE", code)
			}
			c.send(`[48,1,{},"com.example.proc"]`)
			code, msg := c.next()
			if code != 3 {
				t.Fatalf("got message %d, want ABORT", code)
			}
			reason, text := abortText(t, msg)
			if reason != "wamp.error.authentication_failed" {
				t.Errorf("reason %s", reason)
			}
			checkSafe(t, text)
			if text != "expected AUTHENTICATE, got CALL" {
				t.Errorf("text %q, want %q", text, "expected AUTHENTICATE, got CALL")
			}
		})
	}
	// Wrong credentials and malformed answers get fixed texts too.
	for _, tc := range []struct{ authid, method, answer string }{
		{"tom", "ticket", "wrong"}, {"cara", "wampcra", "not base64!"}, {"cyril", "cryptosign", "zz"},
		{"cyril", "cryptosign", strings.Repeat("00", 80)},
	} {
		t.Run("wrong/"+tc.method, func(t *testing.T) {
			c := dialRawJSON(t, r.WebSocketURL())
			c.hello("secure", tc.authid, tc.method)
			if code, _ := c.next(); code != 4 {
				t.Fatalf("got message %d, want CHALLENGE", code)
			}
			c.send(fmt.Sprintf(`[5,%q,{}]`, tc.answer))
			code, msg := c.next()
			if code != 3 {
				t.Fatalf("got message %d, want ABORT", code)
			}
			_, text := abortText(t, msg)
			checkSafe(t, text)
		})
	}
}

// attempt tries ticket authentication as authid from localIP. It reports
// whether the router challenged the client (evaluated the attempt) and
// whether the client joined.
func attempt(t *testing.T, r *router.Router, localIP, authid, ticket string) (challenged, joined bool) {
	t.Helper()
	c := dialRawJSONFrom(t, r.WebSocketURL(), localIP)
	defer c.conn.Close()
	c.hello("secure", authid, "ticket")
	code, msg := c.next()
	switch code {
	case 3:
		reason, text := abortText(t, msg)
		if reason != "wamp.error.authentication_failed" {
			t.Errorf("refused with %s", reason)
		}
		checkSafe(t, text)
		return false, false
	case 4:
	default:
		t.Fatalf("got message %d after HELLO", code)
	}
	c.send(fmt.Sprintf(`[5,%q,{}]`, ticket))
	code, msg = c.next()
	switch code {
	case 2:
		return true, true
	case 3:
		_, text := abortText(t, msg)
		checkSafe(t, text)
		return true, false
	}
	t.Fatalf("got message %d after AUTHENTICATE", code)
	return false, false
}

func throttledRouter(t *testing.T) *router.Router {
	return startRouter(t, router.Config{
		AuthFailureLimit: 5,
		Realms: []router.RealmConfig{{
			Name:  "secure",
			Users: []router.User{{AuthID: "tom", Ticket: "t1cket"}, {AuthID: "ann", Ticket: "ann's"}},
		}},
	})
}

// TestAuthThrottlePerAddress: one address guessing tickets is refused
// after AuthFailureLimit failures, whatever authid it tries, while the
// user logs in at once from another address.
func TestAuthThrottlePerAddress(t *testing.T) {
	r := throttledRouter(t)
	evaluated := 0
	for i := range 40 {
		authid := "tom"
		if i%2 == 1 {
			authid = fmt.Sprintf("rotating-%d", i)
		}
		challenged, joined := attempt(t, r, "127.0.0.2", authid, "guess")
		if joined {
			t.Fatal("joined with a wrong ticket")
		}
		if challenged {
			evaluated++
		}
	}
	if evaluated != 5 {
		t.Errorf("%d of 40 wrong tickets evaluated, want 5", evaluated)
	}
	// The throttled address is refused even with the right ticket.
	if challenged, joined := attempt(t, r, "127.0.0.2", "ann", "ann's"); challenged || joined {
		t.Errorf("throttled address: challenged %v, joined %v; want refused", challenged, joined)
	}
	// Another address joins, promptly.
	start := time.Now()
	if _, joined := attempt(t, r, "127.0.0.3", "tom", "t1cket"); !joined {
		t.Fatal("the right ticket from another address did not join")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("joining took %v", d)
	}
}

// TestAuthThrottlePerAuthID: failures for one authid spread over many
// addresses lock it for the addresses that failed, never for an address
// with a clean record, and a successful login lifts the lock.
func TestAuthThrottlePerAuthID(t *testing.T) {
	r := throttledRouter(t)
	for i := range 5 {
		if _, joined := attempt(t, r, fmt.Sprintf("127.0.1.%d", i+1), "tom", "guess"); joined {
			t.Fatal("joined with a wrong ticket")
		}
	}
	// tom is locked for the addresses that have failed.
	if challenged, _ := attempt(t, r, "127.0.1.1", "tom", "t1cket"); challenged {
		t.Error("an address that failed for a locked authid was challenged again")
	}
	// Other authids are not affected for that address.
	if _, joined := attempt(t, r, "127.0.1.1", "ann", "ann's"); !joined {
		t.Error("ann could not join from an address that failed for tom")
	}
	// A clean address may still try, and succeeds.
	if _, joined := attempt(t, r, "127.0.1.9", "tom", "t1cket"); !joined {
		t.Fatal("tom could not join from a clean address")
	}
	// Which lifted the lock on tom.
	if _, joined := attempt(t, r, "127.0.1.1", "tom", "t1cket"); !joined {
		t.Error("tom still locked after a successful login")
	}
}

// TestAuthThrottleConcurrent: attempts in flight count, so opening many
// connections at once does not buy more guesses.
func TestAuthThrottleConcurrent(t *testing.T) {
	r := throttledRouter(t)
	const n = 30
	conns := make([]*rawJSON, n)
	for i := range conns {
		conns[i] = dialRawJSONFrom(t, r.WebSocketURL(), "127.0.0.4")
		conns[i].hello("secure", "tom", "ticket")
	}
	challenged := 0
	for _, c := range conns {
		if code, _ := c.next(); code == 4 {
			challenged++
			c.send(`[5,"guess",{}]`)
		}
	}
	if challenged > 5 {
		t.Errorf("%d of %d concurrent attempts challenged, want at most 5", challenged, n)
	}
}
