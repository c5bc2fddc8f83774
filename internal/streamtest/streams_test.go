package streamtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// wait bounds every wait: generous for a loaded machine running the tests
// with -race. Chunks and results arrive in milliseconds.
const wait = 30 * time.Second

// service implements Streams. Its channels, when not nil, report what the
// implementation saw, so that a test can wait for it.
type service struct {
	seen    chan float64  // Sum and RunningSum send each number they read
	summed  chan float64  // Sum sends the sum it returns without an error
	ended   chan error    // Sum and Echo send ctx.Err() when they end
	drained chan [][]byte // Drain sends the chunks it read
}

var _ Streams = (*service)(nil)

func (s *service) Sum(ctx context.Context, xs iter.Seq[float64]) (float64, error) {
	var sum float64
	defer s.end(ctx)
	for x := range xs {
		if s.seen != nil {
			s.seen <- x
		}
		if x < 0 {
			return 0, ErrNegative
		}
		sum += x
	}
	if s.summed != nil {
		s.summed <- sum
	}
	return sum, nil
}

func (s *service) end(ctx context.Context) {
	if s.ended != nil {
		s.ended <- ctx.Err()
	}
}

func (s *service) Collect(ctx context.Context, items iter.Seq[Item]) ([]Item, error) {
	return slices.Collect(items), nil
}

func (s *service) Drain(ctx context.Context, chunks iter.Seq[[]byte]) error {
	got := slices.Collect(chunks)
	if s.drained != nil {
		s.drained <- got
	}
	return nil
}

func (s *service) RunningSum(ctx context.Context, xs iter.Seq[float64]) (iter.Seq2[float64, error], error) {
	return func(yield func(float64, error) bool) {
		var sum float64
		for x := range xs {
			if s.seen != nil {
				s.seen <- x
			}
			if x < 0 {
				yield(0, ErrNegative)
				return
			}
			sum += x
			if !yield(sum, nil) {
				return
			}
		}
	}, nil
}

func (s *service) Echo(ctx context.Context, items iter.Seq[Item]) (iter.Seq2[Item, error], error) {
	return func(yield func(Item, error) bool) {
		defer s.end(ctx)
		for it := range items {
			if !yield(it, nil) {
				return
			}
		}
	}, nil
}

func dial(t *testing.T, url string, cfg runtime.Config) *runtime.Session {
	t.Helper()
	cfg.Realm = router.DefaultRealm
	s, err := runtime.Dial(t.Context(), url, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// calleeConfig is the callee's configuration. Some tests send endless
// inputs as fast as the caller can; their callee reads as fast as it can
// too, but a handler scheduled late on a loaded machine must not see its
// input queue overflow (the overflow has a test of its own): the queue is
// as generous as the deadlines.
var calleeConfig = runtime.Config{Serializer: wamp.JSON, InputQueue: 1 << 16, InputQueueBytes: 64 << 20}

// setup serves impl on a new router over WebSocket with JSON and returns
// a client over RawSocket with ser, so that every value crosses two
// serializers (JSON and itself, for ser JSON).
func setup(t *testing.T, impl Streams, ser *wamp.Serializer) *StreamsClient {
	t.Helper()
	return setupWith(t, impl, calleeConfig, ser)
}

// setupWith is setup with the callee's configuration.
func setupWith(t *testing.T, impl Streams, callee runtime.Config, ser *wamp.Serializer) *StreamsClient {
	t.Helper()
	r := routertest.New(t)
	if _, err := RegisterStreams(t.Context(), dial(t, r.WebSocketURL(), callee), impl); err != nil {
		t.Fatal(err)
	}
	return NewStreamsClient(dial(t, r.RawSocketURL(), runtime.Config{Serializer: ser}))
}

// deadline returns a context that ends after wait, so that a test that
// would deadlock fails instead.
func deadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	t.Cleanup(cancel)
	return ctx
}

// items returns n items whose values are hard to carry exactly: integers
// beyond float64's 53 bits, text with NUL and non-ASCII runes, bytes that
// are not text, times with nanoseconds.
func items(n int) []Item {
	out := make([]Item, n)
	for i := range out {
		out[i] = Item{
			Seq:  1<<53 + int64(i)*3 + 1,
			Text: fmt.Sprintf("item %d: ünïcode \x00 and a \"quote\"", i),
			Blob: []byte{0, byte(i), 0xff, 0xfe, byte(i >> 8)},
			At:   time.Date(2026, 12, 7, 21, 0, i%60, 123456789+i, time.UTC),
		}
		if i%3 == 0 {
			out[i].Tags = map[string]string{"index": fmt.Sprint(i), "kind": "third"}
		}
	}
	return out
}

// sameItems reports the first difference between got and want.
func sameItems(got, want []Item) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d items, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Seq != w.Seq || g.Text != w.Text || !bytes.Equal(g.Blob, w.Blob) || !g.At.Equal(w.At) || !maps.Equal(g.Tags, w.Tags) {
			return fmt.Errorf("item %d arrived as %+v, want %+v", i, g, w)
		}
	}
	return nil
}

// TestValuesExactInOrder streams struct items in both directions, with
// the caller on each serializer and the callee on JSON: every value
// arrives exactly, in the order sent.
func TestValuesExactInOrder(t *testing.T) {
	want := items(200)
	for _, ser := range []*wamp.Serializer{wamp.JSON, wamp.MsgPack, wamp.CBOR} {
		t.Run(ser.Name(), func(t *testing.T) {
			c := setup(t, &service{}, ser)
			ctx := deadline(t)

			got, err := c.Collect(ctx, slices.Values(want))
			if err != nil {
				t.Fatal(err)
			}
			if err := sameItems(got, want); err != nil {
				t.Errorf("Collect: %v", err)
			}

			seq, err := c.Echo(ctx, slices.Values(want))
			if err != nil {
				t.Fatal(err)
			}
			var echoed []Item
			for it, err := range seq {
				if err != nil {
					t.Fatal(err)
				}
				echoed = append(echoed, it)
			}
			if err := sameItems(echoed, want); err != nil {
				t.Errorf("Echo: %v", err)
			}

			sum, err := c.Sum(ctx, slices.Values([]float64{0.5, 1e300, -0.0, 2}))
			if err != nil || sum != 0.5+1e300+2 {
				t.Errorf("Sum = %v, %v, want %v", sum, err, 0.5+1e300+2)
			}
		})
	}
}

// TestEmptyInput calls every method with an empty input: the call is one
// final CALL without arguments, which the implementation sees as an input
// that ends at once.
func TestEmptyInput(t *testing.T) {
	impl := &service{drained: make(chan [][]byte, 1)}
	c := setup(t, impl, wamp.MsgPack)
	ctx := deadline(t)

	if sum, err := c.Sum(ctx, slices.Values([]float64{})); err != nil || sum != 0 {
		t.Errorf("Sum() = %v, %v, want 0, nil", sum, err)
	}
	if got, err := c.Collect(ctx, slices.Values([]Item(nil))); err != nil || len(got) != 0 {
		t.Errorf("Collect() = %v, %v, want no items", got, err)
	}
	if err := c.Drain(ctx, slices.Values([][]byte{})); err != nil {
		t.Errorf("Drain() = %v", err)
	}
	select {
	case got := <-impl.drained:
		if len(got) != 0 {
			t.Errorf("Drain() read %d chunks, want none", len(got))
		}
	case <-ctx.Done():
		t.Fatal("Drain's implementation did not report")
	}
	seq, err := c.RunningSum(ctx, slices.Values([]float64{}))
	if err != nil {
		t.Fatal(err)
	}
	for total, err := range seq {
		t.Errorf("RunningSum() yielded %v, %v, want nothing", total, err)
	}

	// A nil input is an empty one too.
	if sum, err := c.Sum(ctx, func(func(float64) bool) {}); err != nil || sum != 0 {
		t.Errorf("Sum(nothing) = %v, %v, want 0, nil", sum, err)
	}
}

// TestOneItem sends a single item, which travels in the final CALL.
func TestOneItem(t *testing.T) {
	c := setup(t, &service{}, wamp.CBOR)
	ctx := deadline(t)
	if sum, err := c.Sum(ctx, slices.Values([]float64{42})); err != nil || sum != 42 {
		t.Errorf("Sum(42) = %v, %v, want 42", sum, err)
	}
	drained := make(chan [][]byte, 1)
	c = setup(t, &service{drained: drained}, wamp.JSON)
	if err := c.Drain(ctx, slices.Values([][]byte{{0, 1, 2}})); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-drained:
		if len(got) != 1 || !bytes.Equal(got[0], []byte{0, 1, 2}) {
			t.Errorf("Drain read %v, want [[0 1 2]]", got)
		}
	case <-ctx.Done():
		t.Fatal("Drain's implementation did not report")
	}
}

// endless yields 1 forever, after the numbers in head; it closes stopped
// when the caller stops ranging over it.
func endless(head []float64, stopped chan<- struct{}) iter.Seq[float64] {
	return func(yield func(float64) bool) {
		defer close(stopped)
		for _, x := range head {
			if !yield(x) {
				return
			}
		}
		for yield(1) {
		}
	}
}

// waitClosed fails the test unless ch is closed within the deadline.
func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(wait):
		t.Fatalf("%s within %s", what, wait)
	}
}

// TestCalleeErrorMidStream: the implementation fails while the caller is
// still sending an input that never ends. The error reaches the caller as
// itself (a //wampgen:error), the call returns, and the caller stops
// reading its input.
func TestCalleeErrorMidStream(t *testing.T) {
	c := setup(t, &service{}, wamp.MsgPack)
	ctx := deadline(t)

	stopped := make(chan struct{})
	_, err := c.Sum(ctx, endless([]float64{1, 2, -1}, stopped))
	if !errors.Is(err, ErrNegative) {
		t.Errorf("Sum(1, 2, -1, 1, 1, …) = %v, want ErrNegative", err)
	}
	waitClosed(t, stopped, "Sum did not stop reading its endless input")

	// Bidirectional: the totals before the failure, then the error.
	head := make([]float64, 10)
	for i := range head {
		head[i] = 1
	}
	stopped = make(chan struct{})
	seq, err := c.RunningSum(ctx, endless(append(head, -1), stopped))
	if err != nil {
		t.Fatal(err)
	}
	var totals []float64
	var last error
	for total, err := range seq {
		if err != nil {
			last = err
			break
		}
		totals = append(totals, total)
	}
	if want := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; !slices.Equal(totals, want) || !errors.Is(last, ErrNegative) {
		t.Errorf("RunningSum yielded %v then %v, want %v then ErrNegative", totals, last, want)
	}
	waitClosed(t, stopped, "RunningSum did not stop reading its endless input")
}

// TestCancel ends the caller's context mid-input: the call returns with
// context.Canceled, and the callee's implementation sees its input end and
// its context cancelled.
func TestCancel(t *testing.T) {
	impl := &service{seen: make(chan float64, 16), ended: make(chan error, 1)}
	c := setup(t, impl, wamp.JSON)
	ctx, cancel := context.WithCancel(deadline(t))
	defer cancel()

	// The input yields 1, 2, 3, then waits for the end of ctx. The client
	// reads one item ahead (to send the last item in the final CALL), so
	// the callee sees 1 and 2 before the input blocks.
	input := func(yield func(float64) bool) {
		for _, x := range []float64{1, 2, 3} {
			if !yield(x) {
				return
			}
		}
		<-ctx.Done()
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.Sum(ctx, input)
		done <- err
	}()
	for want := range []float64{1, 2} {
		select {
		case x := <-impl.seen:
			if x != float64(want+1) {
				t.Fatalf("the callee read %v, want %v", x, want+1)
			}
		case <-time.After(wait):
			t.Fatalf("the callee did not read item %d within %s", want+1, wait)
		}
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Sum after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(wait):
		t.Fatalf("Sum did not return within %s of the cancellation", wait)
	}
	select {
	case err := <-impl.ended:
		if err == nil {
			t.Error("the implementation's input ended but its context did not")
		}
	case <-time.After(wait):
		t.Fatalf("the implementation did not end within %s of the cancellation", wait)
	}
}

// TestBreakCancels stops ranging over a bidirectional call's results: the
// call is cancelled, the callee's implementation ends with its context,
// and the caller stops reading its endless input.
func TestBreakCancels(t *testing.T) {
	impl := &service{ended: make(chan error, 1)}
	c := setup(t, impl, wamp.CBOR)
	ctx := deadline(t)

	stopped := make(chan struct{})
	input := func(yield func(Item) bool) {
		defer close(stopped)
		for i := 0; yield(Item{Seq: int64(i)}); i++ {
		}
	}
	seq, err := c.Echo(ctx, input)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for it, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		if it.Seq != int64(n) {
			t.Fatalf("result %d is item %d", n, it.Seq)
		}
		if n++; n == 5 {
			break
		}
	}
	waitClosed(t, stopped, "the client did not stop reading its input after the loop broke")
	select {
	case err := <-impl.ended:
		if err == nil {
			t.Error("the implementation ended, but its context did not")
		}
	case <-time.After(wait):
		t.Fatalf("the implementation did not end within %s of the break", wait)
	}
}

// TestBidirectionalInterleaving proves that a bidirectional call streams
// both ways at once, with two inputs under which a client or a callee that
// buffered either direction until the input ended would deadlock, which
// the deadline turns into a failure.
//
// A stricter lockstep, an input that waits for the result of one item
// before it yields the next, is not possible with runtime.CallInputStream:
// it delivers results inside Send, on the goroutine that also reads the
// input, so such an input waits forever (its documentation says so).
func TestBidirectionalInterleaving(t *testing.T) {
	// Results arrive while the input is still being sent: the input never
	// ends.
	t.Run("results", func(t *testing.T) {
		c := setup(t, &service{}, wamp.MsgPack)
		ctx := deadline(t)
		stopped := make(chan struct{})
		seq, err := c.RunningSum(ctx, endless(nil, stopped))
		if err != nil {
			t.Fatal(err)
		}
		count := 0
		for total, err := range seq {
			if err != nil {
				t.Fatal(err)
			}
			if count++; total != float64(count) {
				t.Fatalf("result %d is %v, want %d", count, total, count)
			}
			if count == 20 {
				break
			}
		}
		if count != 20 {
			t.Errorf("%d totals before the sequence ended, want 20", count)
		}
		waitClosed(t, stopped, "the client did not stop reading its endless input after the loop broke")
	})

	// Chunks reach the implementation as they are sent: the input yields
	// item k only once the implementation has read item k-2. (The client
	// reads one item ahead, to send the last item in the final CALL: when
	// it asks for item k it has sent items 0 … k-2.)
	t.Run("chunks", func(t *testing.T) {
		const n = 40
		impl := &service{seen: make(chan float64, n)}
		c := setup(t, impl, wamp.JSON)
		ctx := deadline(t)
		input := func(yield func(float64) bool) {
			for k := range n {
				if k >= 2 {
					select {
					case x := <-impl.seen:
						if x != float64(k-1) {
							t.Errorf("before item %d: the implementation read %v, want %d", k, x, k-1)
							return
						}
					case <-ctx.Done():
						t.Errorf("deadlock: the implementation had not read item %d when item %d was due", k-2, k)
						return
					}
				}
				if !yield(float64(k + 1)) {
					return
				}
			}
		}
		seq, err := c.RunningSum(ctx, input)
		if err != nil {
			t.Fatal(err)
		}
		var totals []float64
		for total, err := range seq {
			if err != nil {
				t.Fatal(err)
			}
			totals = append(totals, total)
		}
		if len(totals) != n || totals[n-1] != n*(n+1)/2 {
			t.Errorf("totals %v, want %d of them, the last %d", totals, n, n*(n+1)/2)
		}
	})
}

// TestInputErrorWins sends Sum a chunk that is not a number, through the
// runtime's own streaming API: the implementation's input ends before that
// chunk and it returns the sum so far without an error, but the call fails
// with wamp.error.invalid_argument, as the sum of a truncated input is
// wrong.
func TestInputErrorWins(t *testing.T) {
	r := routertest.New(t)
	impl := &service{summed: make(chan float64, 1)}
	if _, err := RegisterStreams(t.Context(), dial(t, r.WebSocketURL(), calleeConfig), impl); err != nil {
		t.Fatal(err)
	}
	caller := dial(t, r.RawSocketURL(), runtime.Config{Serializer: wamp.MsgPack})
	ctx := deadline(t)
	ic, err := caller.CallInput(ctx, StreamsSumProcedure)
	if err != nil {
		t.Fatal(err)
	}
	var first error
	for _, arg := range []any{1.0, "two"} {
		if err := ic.Send(ctx, wamp.ArgsOf(arg), wamp.Payload{}); err != nil && first == nil {
			first = err
		}
	}
	res, err := ic.CloseSend(ctx, wamp.ArgsOf(3.0), wamp.Payload{})
	if first == nil {
		first = err
	}
	var we *runtime.Error
	if !errors.As(first, &we) || we.URI != wamp.ErrInvalidArgument {
		t.Fatalf("Sum(1, \"two\", 3) = %v, %v; want wamp.error.invalid_argument", res, first)
	}
	select {
	case sum := <-impl.summed:
		if sum != 1 {
			t.Errorf("the implementation returned %v, want 1, the sum of the input before the bad chunk", sum)
		}
	case <-time.After(wait):
		t.Fatalf("the implementation did not return a sum within %s", wait)
	}
}

// unimplemented implements Streams with UnimplementedStreams.
type unimplemented struct{ UnimplementedStreams }

// TestUnimplemented: the embeddable type answers streamed calls, without
// reading their input, with wampgen.error.unimplemented. (An endless input
// would race the answer against the overflow of the input nobody reads.)
func TestUnimplemented(t *testing.T) {
	c := setup(t, unimplemented{}, wamp.MsgPack)
	ctx := deadline(t)
	if _, err := c.Sum(ctx, slices.Values([]float64{1, 2, 3, 4, 5})); !errors.Is(err, runtime.ErrUnimplemented) {
		t.Errorf("Sum = %v, want ErrUnimplemented", err)
	}
	seq, err := c.RunningSum(ctx, slices.Values([]float64{1, 2}))
	if err != nil {
		t.Fatal(err)
	}
	var last error
	for _, err := range seq {
		last = err
	}
	if !errors.Is(last, runtime.ErrUnimplemented) {
		t.Errorf("RunningSum ended with %v, want ErrUnimplemented", last)
	}
}

// TestOverflow: an implementation that stops reading while its caller
// keeps sending overflows its input queue; the generated client returns
// an error matching runtime.ErrInputOverflow, and the implementation's
// input ends.
func TestOverflow(t *testing.T) {
	release := make(chan struct{})
	impl := &blocked{release: release, ended: make(chan int, 1)}
	c := setupWith(t, impl, runtime.Config{Serializer: wamp.JSON, InputQueue: 4}, wamp.MsgPack)
	ctx := deadline(t)
	xs := make([]float64, 100)
	_, err := c.Sum(ctx, slices.Values(xs))
	close(release)
	if !errors.Is(err, runtime.ErrInputOverflow) {
		t.Errorf("Sum of 100 items into a queue of 4 that nobody reads = %v, want ErrInputOverflow", err)
	}
	select {
	case n := <-impl.ended:
		// At most the first item and what the queue held (none, when the
		// queue overflowed before the implementation began to read).
		if n > 1+4 {
			t.Errorf("the implementation read %d items, want at most 5", n)
		}
	case <-time.After(wait):
		t.Fatalf("the implementation's input did not end within %s", wait)
	}
}

// blocked implements Streams with a Sum that reads one item, then waits
// for release before it reads on, and reports how many items it read.
type blocked struct {
	service
	release chan struct{}
	ended   chan int
}

func (b *blocked) Sum(ctx context.Context, xs iter.Seq[float64]) (float64, error) {
	n := 0
	for range xs {
		if n++; n == 1 {
			<-b.release
		}
	}
	b.ended <- n
	return 0, nil
}

// tallier implements Shared as the callee named name.
type tallier struct{ name string }

func (t tallier) Sum(ctx context.Context, xs iter.Seq[float64]) (Tally, error) {
	tally := Tally{Callee: t.name}
	for x := range xs {
		tally.Sum += x
		tally.Count++
	}
	return tally, nil
}

// TestSharedRegistration: with two callees sharing a procedure
// (invoke=roundrobin), each call goes to one of them, all its chunks
// included, and the calls alternate between them.
func TestSharedRegistration(t *testing.T) {
	r := routertest.New(t)
	ctx := deadline(t)
	for _, name := range []string{"a", "b"} {
		if _, err := RegisterShared(ctx, dial(t, r.WebSocketURL(), calleeConfig), tallier{name: name}); err != nil {
			t.Fatal(err)
		}
	}
	c := NewSharedClient(dial(t, r.RawSocketURL(), runtime.Config{Serializer: wamp.CBOR}))
	const n = 50
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(i + 1)
	}
	served := map[string]int{}
	for range 4 {
		tally, err := c.Sum(ctx, slices.Values(xs))
		if err != nil {
			t.Fatal(err)
		}
		if tally.Count != n || tally.Sum != n*(n+1)/2 {
			t.Errorf("callee %s summed %d items to %v, want %d items to %d", tally.Callee, tally.Count, tally.Sum, n, n*(n+1)/2)
		}
		served[tally.Callee]++
	}
	if served["a"] != 2 || served["b"] != 2 {
		t.Errorf("calls served %v, want 2 by each callee", served)
	}
}
