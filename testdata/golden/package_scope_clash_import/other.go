package packagescopeclashimport

// time is named like a package the generated file imports for a type of
// the service, and time2 like the alias it would try first.
var time, time2 = 1, 2

var _, _ = time, time2
