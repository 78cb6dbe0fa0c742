module github.com/jitffi/jitffi

go 1.25.0

require (
	github.com/ebitengine/purego v0.11.3
	github.com/google/go-cmp v0.7.0
	github.com/twitchyliquid64/golang-asm v0.15.1
	golang.org/x/arch v0.30.0
)
