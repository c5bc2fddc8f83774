package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"testing"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// startExampleRouter starts an embedded router on loopback, as a program
// or a test of its own would; the examples dial it.
func startExampleRouter() *router.Router {
	r, err := router.Start(context.Background(), router.Config{
		WebSocketAddr: "127.0.0.1:0",
		RawSocketAddr: "127.0.0.1:0",
	})
	if err != nil {
		log.Fatal(err)
	}
	return r
}

// dialExample joins realm1 at url, or ends the example.
func dialExample(ctx context.Context, url string, cfg runtime.Config) *runtime.Session {
	cfg.Realm = router.DefaultRealm
	s, err := runtime.Dial(ctx, url, cfg)
	if err != nil {
		log.Fatal(err)
	}
	return s
}

func ExampleDial() {
	r := startExampleRouter()
	defer r.Close()

	ctx := context.Background()
	sess, err := runtime.Dial(ctx, r.RawSocketURL(), runtime.Config{
		Realm:      "realm1",
		Serializer: wamp.MsgPack,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer sess.Close()
	fmt.Println("joined", sess.Realm(), "speaking", sess.Serializer().Name())
	// Output: joined realm1 speaking msgpack
}

func ExampleSession_Call() {
	r := startExampleRouter()
	defer r.Close()
	ctx := context.Background()
	callee := dialExample(ctx, r.WebSocketURL(), runtime.Config{})
	defer callee.Close()
	_, err := callee.Register(ctx, "com.example.add", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		var ab [2]float64
		if err := inv.Args.Decode(&ab); err != nil {
			return nil, runtime.NewError(wamp.ErrInvalidArgument, err.Error())
		}
		return &runtime.Result{Args: wamp.ArgsOf(ab[0] + ab[1])}, nil
	})
	if err != nil {
		log.Fatal(err)
	}

	caller := dialExample(ctx, r.WebSocketURL(), runtime.Config{Serializer: wamp.CBOR})
	defer caller.Close()
	res, err := caller.Call(ctx, "com.example.add", wamp.ArgsOf(2, 3.5), wamp.Payload{})
	if err != nil {
		log.Fatal(err)
	}
	var sum []float64
	if err := res.Args.Decode(&sum); err != nil {
		log.Fatal(err)
	}
	fmt.Println(sum[0])

	// A procedure nobody registered.
	_, err = caller.Call(ctx, "com.example.sub", wamp.ArgsOf(2, 3.5), wamp.Payload{})
	fmt.Println(errors.Is(err, runtime.ErrNoSuchProcedure))
	// Output:
	// 5.5
	// true
}

func ExampleSession_Register() {
	r := startExampleRouter()
	defer r.Close()
	ctx := context.Background()
	callee := dialExample(ctx, r.RawSocketURL(), runtime.Config{})
	defer callee.Close()

	// greet takes keyword arguments, strictly: a misspelt or missing key is
	// wamp.error.invalid_argument.
	type greeting struct {
		Name     string  `json:"name"`
		Greeting *string `json:"greeting"` // optional: a pointer
	}
	_, err := callee.Register(ctx, "com.example.greet", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		var g greeting
		if err := runtime.DecodeKeywordArguments(inv.Procedure, inv, &g); err != nil {
			return nil, err
		}
		word := "hello"
		if g.Greeting != nil {
			word = *g.Greeting
		}
		return &runtime.Result{Args: wamp.ArgsOf(word + ", " + g.Name)}, nil
	})
	if err != nil {
		log.Fatal(err)
	}

	caller := dialExample(ctx, r.WebSocketURL(), runtime.Config{})
	defer caller.Close()
	for _, kw := range []map[string]any{
		{"name": "Ada"},
		{"name": "Ada", "greeting": "good morning"},
		{"nmae": "Ada"},
	} {
		res, err := caller.Call(ctx, "com.example.greet", wamp.Payload{}, wamp.PayloadOf(kw))
		if err != nil {
			fmt.Println(err)
			continue
		}
		var text []string
		if err := res.Args.Decode(&text); err != nil {
			log.Fatal(err)
		}
		fmt.Println(text[0])
	}
	// Output:
	// hello, Ada
	// good morning, Ada
	// wamp.error.invalid_argument: com.example.greet: keyword arguments: unknown key "nmae" (known: greeting, name); missing required key "name"
}

func ExampleSession_Subscribe() {
	r := startExampleRouter()
	defer r.Close()
	ctx := context.Background()
	subscriber := dialExample(ctx, r.WebSocketURL(), runtime.Config{Serializer: wamp.MsgPack})
	defer subscriber.Close()

	received := make(chan string)
	_, err := subscriber.Subscribe(ctx, "com.example.news", func(_ context.Context, ev *runtime.Event) error {
		var headline []string
		if err := ev.Args.Decode(&headline); err != nil {
			return err // logged by the session, and counted in Stats
		}
		received <- headline[0]
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}

	publisher := dialExample(ctx, r.RawSocketURL(), runtime.Config{})
	defer publisher.Close()
	// WithAcknowledge waits for the router to accept the publication.
	if _, err := publisher.Publish(ctx, "com.example.news", wamp.ArgsOf("router embedded"), wamp.Payload{}, runtime.WithAcknowledge()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(<-received)
	// Output: router embedded
}

// What generated topics code does underneath: a pattern subscription
// whose handler reads the concrete topic and the publisher from its
// context, and PublishEvent with a per-call option from the context
// (here: deliver to one session only).
func ExamplePublishEvent() {
	r := startExampleRouter()
	defer r.Close()
	ctx := context.Background()
	display := dialExample(ctx, r.WebSocketURL(), runtime.Config{})
	defer display.Close()
	sensor := dialExample(ctx, r.RawSocketURL(), runtime.Config{Serializer: wamp.CBOR})
	defer sensor.Close()

	received := make(chan string, 1)
	_, err := display.Subscribe(ctx, "com.example.temp", func(ctx context.Context, ev *runtime.Event) error {
		vals, err := ev.Args.List()
		if err != nil || len(vals) != 1 {
			return fmt.Errorf("want one value: %w", runtime.ErrBadEvent) // counted as Rejected
		}
		var celsius float64
		if err := vals[0].Decode(&celsius); err != nil {
			return fmt.Errorf("%w: %v", runtime.ErrBadEvent, err)
		}
		show(ctx, celsius)
		received <- "shown"
		return nil
	}, runtime.WithTopicMatch(runtime.MatchPrefix))
	if err != nil {
		log.Fatal(err)
	}

	// Per-call options travel in the context, as they do through a
	// generated publisher method.
	pubCtx := runtime.WithPublishOptions(ctx, runtime.WithEligible(display.ID()))
	err = runtime.PublishEvent(pubCtx, sensor, "com.example.temp.kitchen", wamp.ArgsOf(21.5), wamp.Payload{},
		runtime.WithAcknowledge(), runtime.WithPublisherDisclosed())
	if err != nil {
		log.Fatal(err)
	}
	<-received
	// Output: com.example.temp.kitchen: 21.5 °C (from a disclosed publisher: true)
}

// show is called by an event handler: the context carries the event (and
// ends if the subscription or the session does).
func show(ctx context.Context, celsius float64) {
	ev, _ := runtime.EventFromContext(ctx)
	fmt.Printf("%s: %.1f °C (from a disclosed publisher: %v)\n", ev.Topic, celsius, ev.Publisher != 0)
}

// The code wampgen generates from an annotated interface (here the
// calculator of examples/calculator/calc): RegisterCalculator serves an
// implementation, NewCalculatorClient calls it, typed both ways, with
// mapped errors that errors.Is and errors.As recognise across the wire.
func Example_generatedClient() {
	r := startExampleRouter()
	defer r.Close()
	ctx := context.Background()
	callee := dialExample(ctx, r.RawSocketURL(), runtime.Config{Serializer: wamp.CBOR})
	defer callee.Close()
	regs, err := calc.RegisterCalculator(ctx, callee, &calc.Service{})
	if err != nil {
		log.Fatal(err)
	}
	defer regs.Unregister(ctx)

	caller := dialExample(ctx, r.WebSocketURL(), runtime.Config{})
	defer caller.Close()
	client := calc.NewCalculatorClient(caller)

	sum, err := client.Add(ctx, 1, 2)
	fmt.Println(sum, err)

	_, err = client.Div(ctx, 1, 0)
	fmt.Println(errors.Is(err, calc.ErrDivByZero))

	var neg *calc.NegativeInputError
	_, err = client.Sqrt(ctx, -4)
	fmt.Println(errors.As(err, &neg), neg.Input)

	// Progressive results arrive through the callback before the result.
	f, err := client.Fibonacci(ctx, 6, func(v int64) error {
		fmt.Print(v, " ")
		return nil
	})
	fmt.Println("→", f, err)
	// Output:
	// 3 <nil>
	// true
	// true -4
	// 1 1 2 3 5 → 8 <nil>
}

// A generated registrar serves any caller, typed or not: here an untyped
// call, as from another language, to the procedure URI constant the
// generator writes.
func Example_generatedRegistrar() {
	r := startExampleRouter()
	defer r.Close()
	ctx := context.Background()
	callee := dialExample(ctx, r.RawSocketURL(), runtime.Config{})
	defer callee.Close()
	if _, err := calc.RegisterCalculator(ctx, callee, &calc.Service{}); err != nil {
		log.Fatal(err)
	}

	caller := dialExample(ctx, r.WebSocketURL(), runtime.Config{Serializer: wamp.MsgPack})
	defer caller.Close()
	res, err := caller.Call(ctx, calc.CalculatorStatsProcedure, wamp.ArgsOf([]float64{1, 2, 6}), wamp.Payload{})
	if err != nil {
		log.Fatal(err)
	}
	var stats []calc.Stats
	if err := res.Args.Decode(&stats); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", stats[0])

	// Arguments that do not fit the method's parameters are refused.
	_, err = caller.Call(ctx, calc.CalculatorAddProcedure, wamp.ArgsOf("one", 2), wamp.Payload{})
	fmt.Println(errors.Is(err, runtime.ErrInvalidArgument))
	// Output:
	// {Count:3 Sum:9 Mean:3 Min:1 Max:6}
	// true
}

// routertest starts a router for a test and closes it when the test ends,
// as net/http/httptest does for servers. This is the body of a service's
// own test, func TestCalculator(t *testing.T); it needs the test's t, so
// it is not run here.
func Example_routertest() {
	testCalculator := func(t *testing.T) {
		r := routertest.New(t)
		ctx := t.Context()
		sess, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{Realm: router.DefaultRealm})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sess.Close() })
		if _, err := calc.RegisterCalculator(ctx, sess, &calc.Service{}); err != nil {
			t.Fatal(err)
		}
		if sum, err := calc.NewCalculatorClient(sess).Add(ctx, 1, 2); err != nil || sum != 3 {
			t.Errorf("Add(1, 2) = %v, %v; want 3", sum, err)
		}
	}
	_ = testCalculator
}

// An interceptor that logs every call a client makes and every invocation
// a callee serves, with their outcome; the first interceptor acts first.
func ExampleInterceptorFuncs() {
	r := startExampleRouter()
	defer r.Close()
	ctx := context.Background()

	logCalls := runtime.InterceptorFuncs{
		Call: func(next runtime.CallFunc) runtime.CallFunc {
			return func(ctx context.Context, c *runtime.Call) (*runtime.Result, error) {
				c.SetOption("x_request_id", "r-1") // reaches the callee's Invocation.Details
				res, err := next(ctx, c)
				uri, _ := runtime.ErrorURIOf(err)
				fmt.Printf("call %s: error %q\n", c.Procedure, uri)
				return res, err
			}
		},
	}
	logInvocations := runtime.InterceptorFuncs{
		Invocation: func(next runtime.Handler) runtime.Handler {
			return func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				res, err := next(ctx, inv)
				fmt.Printf("served %s (request %v): error %q\n", inv.Registered(), inv.Details["x_request_id"], inv.ErrorURI(err))
				return res, err
			}
		},
	}

	// For every handler of the session: Config.Interceptors.
	callee := dialExample(ctx, r.WebSocketURL(), runtime.Config{Interceptors: []runtime.Interceptor{logInvocations}})
	defer callee.Close()
	if _, err := calc.RegisterCalculator(ctx, callee, &calc.Service{}); err != nil {
		log.Fatal(err)
	}
	// For every call of one generated client: WithInterceptors.
	caller := dialExample(ctx, r.WebSocketURL(), runtime.Config{})
	defer caller.Close()
	client := calc.NewCalculatorClient(caller, runtime.WithInterceptors(logCalls))
	sum, err := client.Add(ctx, 1, 2)
	fmt.Println(sum, err)
	_, err = client.Div(ctx, 1, 0)
	fmt.Println(errors.Is(err, calc.ErrDivByZero))
	// Output:
	// served com.example.calc.add (request r-1): error ""
	// call com.example.calc.add: error ""
	// 3 <nil>
	// served com.example.calc.div (request r-1): error "com.example.calc.error.div_by_zero"
	// call com.example.calc.div: error "com.example.calc.error.div_by_zero"
	// true
}
