package router

import (
	"net/http"
	"time"

	"github.com/gammazero/nexus/v3/wamp"
	"github.com/gorilla/websocket"
)

// wsProtocols are the WebSocket subprotocols the router speaks. JSON travels
// in text frames, MessagePack and CBOR in binary frames.
var wsProtocols = map[string]struct {
	ser         *serializer
	payloadType int
}{
	"wamp.2.json":    {jsonSerializer, websocket.TextMessage},
	"wamp.2.msgpack": {msgpackSerializer, websocket.BinaryMessage},
	"wamp.2.cbor":    {cborSerializer, websocket.BinaryMessage},
}

// wsHandler is the router's WebSocket endpoint.
type wsHandler struct {
	r        *Router
	upgrader websocket.Upgrader
}

func newWSHandler(r *Router) *wsHandler {
	return &wsHandler{
		r: r,
		upgrader: websocket.Upgrader{
			HandshakeTimeout: handshakeTimeout,
			// The subprotocol is chosen by ServeHTTP, in the client's order
			// of preference, and passed in the response header.
			Subprotocols: nil,
			// CheckOrigin nil: gorilla's default, which refuses a browser
			// request whose Origin host differs from Host.
		},
	}
}

// ServeHTTP upgrades the request to a WebSocket and serves one WAMP session
// on it. The request must offer one of the subprotocols wamp.2.json,
// wamp.2.msgpack or wamp.2.cbor.
func (h *wsHandler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r := h.r
	var proto string
	for _, p := range websocket.Subprotocols(req) {
		if _, ok := wsProtocols[p]; ok {
			proto = p
			break
		}
	}
	if proto == "" {
		http.Error(w, "WAMP router: the request must offer a WebSocket subprotocol wamp.2.json, wamp.2.msgpack or wamp.2.cbor", http.StatusBadRequest)
		return
	}
	if !r.enter() {
		http.Error(w, "WAMP router is closed", http.StatusServiceUnavailable)
		return
	}
	defer r.work.Done()

	conn, err := h.upgrader.Upgrade(w, req, http.Header{"Sec-Websocket-Protocol": {proto}})
	if err != nil {
		// gorilla has replied with an HTTP error.
		r.log.Debug("router: WebSocket upgrade failed", "remote", req.RemoteAddr, "err", err)
		return
	}
	if !r.track(conn.NetConn()) {
		_ = conn.Close()
		return
	}
	conn.SetReadLimit(int64(r.maxMessageSize))
	pr := wsProtocols[proto]
	fc := &wsConn{c: conn, payloadType: pr.payloadType, keepAlive: r.keepAlive}
	fc.start()
	details := wamp.Dict{
		"type":       "websocket",
		"protocol":   proto,
		"serializer": pr.ser.name,
		"peer":       "tcp:" + req.RemoteAddr,
		"is_secure":  req.TLS != nil,
	}
	r.serve(conn.NetConn(), fc, pr.ser, r.keepAlive, details)
}

// wsConn frames WAMP messages as WebSocket messages.
type wsConn struct {
	c           *websocket.Conn
	payloadType int
	keepAlive   time.Duration
}

// start arms the keep-alive read deadline: a client that sends nothing, not
// even a pong, for two ping intervals is disconnected. gorilla answers the
// client's pings itself.
func (w *wsConn) start() {
	if w.keepAlive <= 0 {
		return
	}
	w.extend()
	w.c.SetPongHandler(func(string) error {
		w.extend()
		return nil
	})
}

func (w *wsConn) extend() {
	_ = w.c.SetReadDeadline(time.Now().Add(2 * w.keepAlive))
}

func (w *wsConn) readFrame() (frameKind, []byte, error) {
	_, b, err := w.c.ReadMessage()
	if err != nil {
		return 0, nil, err
	}
	if w.keepAlive > 0 {
		w.extend()
	}
	return frameMessage, b, nil
}

func (w *wsConn) writeMessage(b []byte) error { return w.c.WriteMessage(w.payloadType, b) }

// writePong is never called: gorilla answers pings.
func (w *wsConn) writePong([]byte) error { return nil }

func (w *wsConn) writePing() error {
	return w.c.WriteControl(websocket.PingMessage, nil, time.Now().Add(flushTimeout))
}

func (w *wsConn) writeClose() {
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	_ = w.c.WriteControl(websocket.CloseMessage, msg, time.Now().Add(flushTimeout))
}

func (w *wsConn) setWriteDeadline(t time.Time) { _ = w.c.SetWriteDeadline(t) }
func (w *wsConn) close() error                 { return w.c.Close() }
func (w *wsConn) maxSendSize() int             { return 0 }
