package interop

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/runtime"
)

// TestBrowser opens the calculator's web page, as `calculator serve` serves
// it, in headless Chromium, once per serializer, and clicks through add, a
// division by zero, sqrt(-4), fibonacci's progressive results and a
// cancelled sleep (js/browser.mjs), checking what the page shows.
func TestBrowser(t *testing.T) {
	t.Parallel()
	e := need(t)
	if _, err := os.Stat(e.chromium); err != nil {
		t.Fatalf("Chromium is needed at %s (./test.sh installs Debian's chromium): %v", e.chromium, err)
	}
	wsURL, pageURL := serveCalculator(t, e)
	args := []string{"--url", pageURL, "--chromium", e.chromium, "--serializers", strings.Join(serializers, ",")}
	if *screenshots != "" {
		args = append(args, "--screenshots", *screenshots)
	}
	results, exitErr := runNode(t, e, 3*time.Minute, "js/browser.mjs", args...)

	got := map[string]map[string]any{}
	for _, r := range results {
		if r["step"] != nil {
			got[fmt.Sprint(r["serializer"], "/", r["step"])] = r
		}
	}
	for _, ser := range serializers {
		for _, s := range browserSteps {
			r, ok := got[ser+"/"+s.name]
			switch {
			case !ok:
				t.Errorf("%s: js/browser.mjs did not report %q", ser, s.name)
			case r["ok"] != true:
				t.Errorf("%s: FAIL %s: %v", ser, s.name, r["error"])
			}
			delete(got, ser+"/"+s.name)
		}
	}
	for k := range got {
		t.Errorf("js/browser.mjs ran a step this test does not know (add it to browserSteps): %s", k)
	}
	if exitErr != nil && !t.Failed() {
		t.Errorf("js/browser.mjs exited with %v", exitErr)
	}

	// The page said no sleep runs any more; so must the service.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sess, err := runtime.Dial(ctx, wsURL, runtime.Config{Realm: "realm1"})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if n, err := calc.NewCalculatorClient(sess).Active(ctx); err != nil || n != 0 {
		t.Errorf("active() = %d, %v after the browser left, want 0", n, err)
	}
}

// TestWebPageSource checks that the web page takes its URIs from the
// generated TypeScript module, as its types: web/app.ts names none itself
// and imports the generated client.
func TestWebPageSource(t *testing.T) {
	b, err := os.ReadFile("../examples/calculator/web/app.ts")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	if strings.Contains(src, "com.example.") {
		t.Error("web/app.ts writes a URI of the calculator itself: take it from calc_wamp.ts (CalculatorEventsTopics, …)")
	}
	if !strings.Contains(src, "from '../calc/calc_wamp.js'") {
		t.Error("web/app.ts does not import the generated module ../calc/calc_wamp.js")
	}
}
