//go:build !race

package rtprobe

const raceEnabled = false
