// Everything below only watches the run: it measures when each task is spawned, starts and
// ends, and prints what happens, or with CTXGROUP_TRACE=1 the trace as JSON. The scenario's
// code is above.

// scale is how many real seconds one scenario second takes (CTXGROUP_SCALE, default 1).
var scale = scaleFromEnv()

func scaleFromEnv() float64 {
	s, ok := os.LookupEnv("CTXGROUP_SCALE")
	if !ok {
		return 1
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 {
		fmt.Fprintf(os.Stderr, "CTXGROUP_SCALE=%q is not a positive number; using 1\n", s)
		return 1
	}
	return f
}

// scaled turns a scenario duration into real time.
func scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) * scale)
}

// sameInstant is how close in real time a task's end and its group's return must be to count as
// simultaneous: a task that ends then is not leaked.
const sameInstant = 2 * time.Millisecond

func main() {
	traceMode := os.Getenv("CTXGROUP_TRACE") == "1"
	watch.t0 = time.Now()
	watch.log = !traceMode
	returned := make(chan error, 1)
	go func() { returned <- run() }()
	// stop closes at the horizon: whatever still runs then is reported as running.
	stop := make(chan struct{})
	time.AfterFunc(scaled(horizon), func() { close(stop) })
	select {
	case err := <-returned:
		watch.returned(err)
	case <-stop:
	}
	watch.waitForTasks(stop)
	if traceMode {
		watch.printJSON()
	} else {
		watch.printSummary()
	}
}

// task wraps a task's function for g.Go: it notes the spawn now, and the task's start and end
// when it runs; ctx is the context the task is given (for context.Cause when it ends).
func task(path string, ctx context.Context, f func() error) func() error {
	watch.spawned(path, ctx)
	return func() error {
		watch.started(path)
		err := f()
		watch.ended(path, err)
		return err
	}
}

type taskRecord struct {
	path           string
	goroutine      bool
	skipped        bool
	ctx            context.Context
	cause          error
	spawned, start time.Duration
	end            time.Duration
	hasStart       bool
	hasEnd         bool
	err            error
}

type watcher struct {
	mu       sync.Mutex
	t0       time.Time
	log      bool
	tasks    map[string]*taskRecord
	running  int
	pending  int
	changed  chan struct{}
	hasRet   bool
	retAt    time.Duration
	retError error
}

var watch = watcher{tasks: map[string]*taskRecord{}, changed: make(chan struct{}, 1)}

func (w *watcher) now() time.Duration { return time.Since(w.t0) }

// seconds turns a real duration since time 0 into scenario seconds.
func seconds(d time.Duration) float64 {
	return math.Round(d.Seconds()/scale*1e6) / 1e6
}

func (w *watcher) say(at time.Duration, format string, args ...any) {
	if w.log {
		fmt.Printf("%8.3fs  %s\n", seconds(at), fmt.Sprintf(format, args...))
	}
}

func (w *watcher) spawned(path string, ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	at := w.now()
	w.tasks[path] = &taskRecord{path: path, ctx: ctx, spawned: at}
	w.running++
	w.say(at, "g.Go(%s)", path)
}

func (w *watcher) started(path string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	at := w.now()
	t := w.tasks[path]
	t.start, t.hasStart = at, true
	w.say(at, "%s starts", path)
}

// goroutine wraps the function of a goroutine a task starts (a `go` line) like task does; its
// row belongs to the group of the task that started it.
func goroutine(path string, ctx context.Context, f func() error) func() {
	run := task(path, ctx, f)
	watch.mu.Lock()
	watch.tasks[path].goroutine = true
	watch.mu.Unlock()
	return func() { run() }
}

// afterCancel wraps a function given to context.AfterFunc: its row starts when it runs.
// attached: it watches a task's context (its row belongs to that task's group).
// Until it runs it is pending: the run is watched until it has run (or the horizon).
func afterCancel(path string, ctx context.Context, attached bool, f func()) func() {
	watch.mu.Lock()
	watch.pending++
	watch.mu.Unlock()
	return func() {
		run := task(path, ctx, func() error { f(); return nil })
		watch.mu.Lock()
		watch.tasks[path].goroutine = attached
		watch.pending--
		watch.mu.Unlock()
		run()
	}
}

// skipped notes that g.TryGo found no free slot: the task never runs.
func (w *watcher) skipped(path string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := w.tasks[path]
	t.skipped = true
	w.running--
	w.say(w.now(), "%s skipped: g.TryGo found no free slot", path)
}

// context notes the task's own context (made at its start, with its own deadline).
func (w *watcher) context(path string, ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tasks[path].ctx = ctx
}

func (w *watcher) ended(path string, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	at := w.now()
	t := w.tasks[path]
	t.end, t.hasEnd, t.err = at, true, err
	t.cause = context.Cause(t.ctx)
	w.running--
	if err != nil {
		w.say(at, "%s %s: %v", path, outcome(t), err)
	} else {
		w.say(at, "%s %s", path, outcome(t))
	}
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

func (w *watcher) returned(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hasRet, w.retAt, w.retError = true, w.now(), err
	if err != nil {
		w.say(w.retAt, "the caller returns: %v", err)
	} else {
		w.say(w.retAt, "the caller returns: ok")
	}
}

// waitForTasks waits until no task is running (leaked ones end too) or the run is stopped.
func (w *watcher) waitForTasks(stop <-chan struct{}) {
	for {
		w.mu.Lock()
		idle := w.running == 0 && w.pending == 0
		w.mu.Unlock()
		if idle {
			return
		}
		select {
		case <-w.changed:
		case <-stop:
			return
		}
	}
}

func outcome(t *taskRecord) string {
	switch {
	case t.skipped:
		return "skipped"
	case !t.hasEnd:
		return "running"
	case t.err == nil:
		return "completed"
	case errors.Is(t.err, context.Canceled), errors.Is(t.err, context.DeadlineExceeded):
		return "cancelled"
	default:
		return "failed"
	}
}

// leaked tells whether a task was still running when its group returned.
func (w *watcher) leaked(t *taskRecord) bool {
	if t.skipped {
		return false
	}
	// A goroutine belongs to the group of the task that started it.
	owner := t
	for owner.goroutine {
		owner = w.tasks[owner.path[:strings.LastIndex(owner.path, "/")]]
	}
	var groupEnd time.Duration
	if i := strings.LastIndex(owner.path, "/"); i >= 0 {
		group := w.tasks[owner.path[:i]]
		if !group.hasEnd {
			return false
		}
		groupEnd = group.end
	} else {
		if !w.hasRet {
			return false
		}
		groupEnd = w.retAt
	}
	return !t.hasEnd || t.end > groupEnd+sameInstant
}

type jsonReturned struct {
	At    float64 `json:"at"`
	Error *string `json:"error"`
}

type jsonTask struct {
	Name    string   `json:"name"`
	Path    string   `json:"path"`
	Spawned float64  `json:"spawned"`
	Start   *float64 `json:"start"`
	End     *float64 `json:"end"`
	Outcome string   `json:"outcome"`
	Error   *string  `json:"error"`
	Leaked  bool     `json:"leaked"`
	GoCause *string  `json:"go_cause"`
}

func errorText(err error) *string {
	if err == nil {
		return nil
	}
	s := err.Error()
	return &s
}

func (w *watcher) printJSON() {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out struct {
		Returned *jsonReturned `json:"returned"`
		Tasks    []jsonTask    `json:"tasks"`
	}
	if w.hasRet {
		out.Returned = &jsonReturned{At: seconds(w.retAt), Error: errorText(w.retError)}
	}
	out.Tasks = []jsonTask{}
	for _, path := range paths {
		t, ok := w.tasks[path]
		if !ok {
			continue
		}
		j := jsonTask{
			Name:    path[strings.LastIndex(path, "/")+1:],
			Path:    path,
			Spawned: seconds(t.spawned),
			Outcome: outcome(t),
			Error:   errorText(t.err),
			Leaked:  w.leaked(t),
		}
		if j.Outcome == "cancelled" {
			j.GoCause = errorText(t.cause)
		}
		if t.hasStart {
			s := seconds(t.start)
			j.Start = &s
		}
		if t.hasEnd {
			e := seconds(t.end)
			j.End = &e
		}
		out.Tasks = append(out.Tasks, j)
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
}

func (w *watcher) printSummary() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.hasRet {
		fmt.Printf("the caller never returns (stopped watching at %gs)\n", horizon.Seconds())
	}
	for _, path := range paths {
		if t, ok := w.tasks[path]; ok && w.leaked(t) {
			fmt.Printf("%s is leaked: still running after its group returned\n", path)
		}
	}
}
