package stream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"testing"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

type lines struct{}

var errTooMany = errors.New("too many lines")

func (lines) Lines(ctx context.Context, n int) (iter.Seq2[string, error], error) {
	if n < 0 {
		return nil, runtime.NewError(wamp.ErrInvalidArgument, "negative")
	}
	return func(yield func(string, error) bool) {
		for i := range n {
			if i == 100 {
				yield("", errTooMany)
				return
			}
			if !yield(fmt.Sprintf("line %d", i), nil) {
				return
			}
		}
	}, nil
}

func (lines) Chunks(ctx context.Context, data []byte, size int) (iter.Seq2[[]byte, error], error) {
	return func(yield func([]byte, error) bool) {
		for chunk := range slices.Chunk(data, size) {
			if !yield(chunk, nil) {
				return
			}
		}
	}, nil
}

func TestGenerated(t *testing.T) {
	ctx := t.Context()
	r := routertest.New(t)
	if _, err := RegisterLines(ctx, dial(t, r.WebSocketURL(), wamp.JSON), lines{}); err != nil {
		t.Fatal(err)
	}
	c := NewLinesClient(dial(t, r.RawSocketURL(), wamp.MsgPack))

	seq, err := c.Lines(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for line, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, line)
	}
	if want := []string{"line 0", "line 1", "line 2"}; !slices.Equal(got, want) {
		t.Errorf("Lines(3) yielded %q, want %q", got, want)
	}

	// Breaking out of the loop stops (cancels) the call.
	seq, _ = c.Lines(ctx, 50)
	count := 0
	for _, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		if count++; count == 2 {
			break
		}
	}

	// An error from the callee's sequence ends the stream with it.
	seq, _ = c.Lines(ctx, 101)
	var last error
	count = 0
	for _, err := range seq {
		if err != nil {
			last = err
			break
		}
		count++
	}
	var we *runtime.Error
	if count != 100 || !errors.As(last, &we) {
		t.Errorf("Lines(101): %d lines then %v, want 100 then a WAMP error", count, last)
	}

	// Bytes survive JSON on one side and MsgPack on the other.
	data := []byte{0, 1, 2, 0xff, 'a', 0}
	seqB, _ := c.Chunks(ctx, data, 4)
	var joined []byte
	for chunk, err := range seqB {
		if err != nil {
			t.Fatal(err)
		}
		joined = append(joined, chunk...)
	}
	if !bytes.Equal(joined, data) {
		t.Errorf("chunks joined to %v, want %v", joined, data)
	}
}

func dial(t *testing.T, url string, ser *wamp.Serializer) *runtime.Session {
	t.Helper()
	s, err := runtime.Dial(t.Context(), url, runtime.Config{Realm: router.DefaultRealm, Serializer: ser})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
