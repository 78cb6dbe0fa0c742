//go:build race

package jitffi

// raceBuild reports a -race build: the slowest tests do less there.
const raceBuild = true
