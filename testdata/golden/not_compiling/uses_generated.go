package notcompiling

// Code that uses what wampgen is about to generate is not a compile error:
// NewSvcClient does not exist until wampgen has run.
var _ = NewSvcClient

// But an identifier wampgen will not generate is.
var _ = NewOtherClient
