//go:build !race

package jitffi

const raceBuild = false
