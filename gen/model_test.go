package gen

import (
	"slices"
	"testing"
)

func TestSnakeCase(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Add", "add"},
		{"ReverseBytes", "reverse_bytes"},
		{"WhoAmI", "who_am_i"},
		{"HTTPStatus", "http_status"},
		{"GetID", "get_id"},
		{"Sqrt2", "sqrt2"},
		{"URLs", "urls"},
		{"A", "a"},
		{"GetIDsByName", "get_ids_by_name"},
		{"IDs", "ids"},
		{"HTTPServer", "http_server"},
		{"ParseURL", "parse_url"},
		{"Base64Encode", "base64_encode"},
		{"MD5Sum", "md5_sum"},
		{"V2API", "v2_api"},
		{"AsString", "as_string"},
		{"ASet", "a_set"},
		{"already_snake", "already_snake"},
		{"lowerCamel", "lower_camel"},
		{"Ärger", "ärger"},
		{"", ""},
	} {
		if got := snakeCase(tt.in); got != tt.want {
			t.Errorf("snakeCase(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOutputName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"calc.go", "calc_wamp.go"},
		{"service_api.go", "service_api_wamp.go"},
		{"a.b.go", "a.b_wamp.go"},
		{"x", "x_wamp.go"},
	} {
		if got := OutputName(tt.in); got != tt.want {
			t.Errorf("OutputName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNames(t *testing.T) {
	n := serviceNames("Calculator")
	if n.Client != "CalculatorClient" || n.NewClient != "NewCalculatorClient" || n.Register != "RegisterCalculator" || n.Unimplemented != "UnimplementedCalculator" {
		t.Errorf("serviceNames = %+v", n)
	}
	if got := n.ProcedureConst("Add"); got != "CalculatorAddProcedure" {
		t.Errorf("ProcedureConst = %q", got)
	}
	if got := n.Handler("Add"); got != "calculatorAddHandler" {
		t.Errorf("Handler = %q", got)
	}
	// Unexported methods of a same-package interface still make exported
	// constants and well-formed handler names.
	if got, want := n.ProcedureConst("add"), "CalculatorAddProcedure"; got != want {
		t.Errorf("ProcedureConst(add) = %q, want %q", got, want)
	}
	if got, want := serviceNames("Ärger").Handler("Los"), "ärgerLosHandler"; got != want {
		t.Errorf("Handler for a non-ASCII service = %q, want %q", got, want)
	}
	s := &Service{Name: "Calculator", Methods: []*Method{{Name: "Add"}, {Name: "Sub"}}}
	want := []string{"CalculatorClient", "NewCalculatorClient", "UnimplementedCalculator", "RegisterCalculator",
		"CalculatorAddProcedure", "CalculatorSubProcedure", "calculatorAddHandler", "calculatorSubHandler"}
	if got := n.declared(s); !slices.Equal(got, want) {
		t.Errorf("declared = %v, want %v", got, want)
	}
}

func TestTopicsNames(t *testing.T) {
	n := topicsNamesOf("CalculatorEvents")
	if n.Publisher != "CalculatorEventsPublisher" || n.NewPublisher != "NewCalculatorEventsPublisher" || n.Subscribe != "SubscribeCalculatorEvents" {
		t.Errorf("topicsNamesOf = %+v", n)
	}
	if got := n.TopicConst("computed"); got != "CalculatorEventsComputedTopic" {
		t.Errorf("TopicConst = %q", got)
	}
	if got := n.SubscribeOne("Computed"); got != "SubscribeCalculatorEventsComputed" {
		t.Errorf("SubscribeOne = %q", got)
	}
	if got := n.Handler("Computed"); got != "calculatorEventsComputedHandler" {
		t.Errorf("Handler = %q", got)
	}
	ts := &Topics{Name: "CalculatorEvents", Methods: []*Method{{Name: "Computed"}, {Name: "Failed"}}}
	want := []string{"CalculatorEventsPublisher", "NewCalculatorEventsPublisher", "SubscribeCalculatorEvents",
		"CalculatorEventsComputedTopic", "SubscribeCalculatorEventsComputed", "CalculatorEventsFailedTopic", "SubscribeCalculatorEventsFailed",
		"calculatorEventsComputedHandler", "calculatorEventsFailedHandler"}
	if got := n.declared(ts); !slices.Equal(got, want) {
		t.Errorf("declared = %v, want %v", got, want)
	}
	f := &File{Services: []*Service{{Name: "Calculator", Methods: []*Method{{Name: "Add"}}}}, Topics: []*Topics{ts}}
	if got := f.declared(); len(got) != 6+len(want) || !slices.Contains(got, "RegisterCalculator") || !slices.Contains(got, "SubscribeCalculatorEventsFailed") {
		t.Errorf("File.declared = %v, want the service's and the topics' identifiers", got)
	}
}
