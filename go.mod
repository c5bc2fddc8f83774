module github.com/wampgen/wampgen

go 1.26

require github.com/ugorji/go/codec v1.3.2
