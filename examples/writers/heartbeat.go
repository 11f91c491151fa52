// Write a ghost-hb heartbeat atomically from Go (standard library only).
// Usage: go run heartbeat.go DIR NAME [INTERVAL_SECONDS]
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

type heartbeat struct {
	Name     string   `json:"name"`
	Pid      int      `json:"pid"`
	Ts       string   `json:"ts"`
	Status   string   `json:"status"`
	Interval *float64 `json:"interval,omitempty"`
}

// Beat writes DIR/NAME.json: a dotfile temp in the same directory (ignored by
// the monitor), fsync, rename.
func Beat(dir, name string, interval *float64) error {
	doc, err := json.Marshal(heartbeat{
		Name:     name,
		Pid:      os.Getpid(),
		Ts:       time.Now().UTC().Format(time.RFC3339Nano), // always with the Z
		Status:   "ok",
		Interval: interval,
	})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+name+".json.*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err = tmp.Write(append(doc, '\n')); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, name+".json"))
}

func main() {
	if len(os.Args) < 3 || len(os.Args) > 4 {
		fmt.Fprintln(os.Stderr, "usage: heartbeat DIR NAME [INTERVAL_SECONDS]")
		os.Exit(3)
	}
	var interval *float64
	if len(os.Args) == 4 {
		v, err := strconv.ParseFloat(os.Args[3], 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad interval:", os.Args[3])
			os.Exit(3)
		}
		interval = &v
	}
	if err := Beat(os.Args[1], os.Args[2], interval); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
}
