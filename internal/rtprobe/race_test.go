//go:build race

package rtprobe

const raceEnabled = true
