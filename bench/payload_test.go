package main

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestPayloadSystems makes calls of every payload with every route of
// -payloads=all, sequential and then concurrent (as the throughput figure
// does), each checked by the system's call.
func TestPayloadSystems(t *testing.T) {
	rs, err := routes("all")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	b, err := newPayloadBed(ctx, rs)
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	for _, kind := range payloadKinds {
		for _, size := range payloadSizes {
			c := payloadCase{kind: kind, size: size}
			for _, pc := range b.callers {
				t.Run(fmt.Sprintf("%s/%s/%s", c, pc.r.sys, pc.r), func(t *testing.T) {
					s := pc.system(c)
					for range 2 {
						if err := s.call(ctx); err != nil {
							t.Fatal(err)
						}
					}
					var wg sync.WaitGroup
					errs := make(chan error, 4)
					for range 4 {
						wg.Go(func() { errs <- s.call(ctx) })
					}
					wg.Wait()
					close(errs)
					for err := range errs {
						if err != nil {
							t.Fatal(err)
						}
					}
				})
			}
		}
	}
}
