// runtime/metrics' runtime half. The Rust side (src/proc/metrics.rs) owns
// the table of metrics and fills the values from one snapshot of the
// runtime's counters. This side does what needs Go: it allocates the
// histogram values (their buckets are shared by every value of a shape)
// and answers the /godebug/non-default-behavior/ counters, whose readers
// internal/godebug registers as Go functions.

package runtime

import (
	"internal/godebugs"
	"unsafe"
)

const (
	metricKindBad metricKind = iota
	metricKindUint64
	metricKindFloat64
	metricKindFloat64Histogram
)

// Held by a Read (and by godebug registrations): a sample's histogram is
// prepared and filled under it.
var metricsSema uint32 = 1

// Bucket boundaries by histogram shape (the Rust side numbers the shapes
// from 1), made at first use and then shared.
var metricBuckets [3][]float64

// The godebug counters internal/godebug registered, by metric name.
var godebugMetricReaders map[string]func() uint64

const godebugMetricPrefix = "/godebug/non-default-behavior/"

//go:linkname metrics_runtime_readMetrics runtime/metrics.runtime_readMetrics
func metrics_runtime_readMetrics(samplesp unsafe.Pointer, n int, _ int) {
	readMetricsWith(unsafe.Slice((*metricSample)(samplesp), n), rt_readMetrics)
}

// readMetricsWith fills samples, read takes the runtime's values (the
// runtime tests' hook reads MemStats in the same pause).
func readMetricsWith(samples []metricSample, read func([]metricSample)) {
	semacquire1(&metricsSema, false, false, 0, waitReasonSemacquire)
	for i := range samples {
		if shape := rt_metricHistShape(samples[i].name); shape != 0 {
			samples[i].value.prepareHistogram(shape)
		}
	}
	read(samples)
	for i := range samples {
		if s := &samples[i]; len(s.name) > len(godebugMetricPrefix) && s.name[:len(godebugMetricPrefix)] == godebugMetricPrefix {
			s.value = godebugMetric(s.name)
		}
	}
	semrelease1(&metricsSema, false, 0)
}

// prepareHistogram makes v a histogram of the given shape, reusing the
// one it holds when there is one.
func (v *metricValue) prepareHistogram(shape int) {
	b := metricBuckets[shape]
	if b == nil {
		b = make([]float64, rt_metricHistBounds(shape, nil))
		rt_metricHistBounds(shape, b)
		metricBuckets[shape] = b
	}
	h := (*metricFloat64Histogram)(v.pointer)
	if v.kind != metricKindFloat64Histogram || h == nil {
		h = new(metricFloat64Histogram)
		v.kind, v.pointer = metricKindFloat64Histogram, unsafe.Pointer(h)
	}
	h.buckets = b
	if len(h.counts) != len(b)-1 {
		h.counts = make([]uint64, len(b)-1)
	}
}

// godebugMetric is the value of a /godebug/ metric: the count of
// non-default behaviours of a setting godebugs.All lists (0 until
// internal/godebug registers its counter), or KindBad for any other name.
func godebugMetric(name string) metricValue {
	if read := godebugMetricReaders[name]; read != nil {
		return metricValue{kind: metricKindUint64, scalar: read()}
	}
	if godebugMetricKnown(name) {
		return metricValue{kind: metricKindUint64}
	}
	return metricValue{kind: metricKindBad}
}

func godebugMetricKnown(name string) bool {
	for _, info := range godebugs.All {
		if !info.Opaque && godebugMetricPrefix+info.Name+":events" == name {
			return true
		}
	}
	return false
}

//go:linkname godebug_registerMetric internal/godebug.registerMetric
func godebug_registerMetric(name string, read func() uint64) {
	semacquire1(&metricsSema, false, false, 0, waitReasonSemacquire)
	if !godebugMetricKnown(name) {
		throw("runtime: unexpected metric registration for " + name)
	}
	if godebugMetricReaders == nil {
		godebugMetricReaders = make(map[string]func() uint64)
	}
	godebugMetricReaders[name] = read
	semrelease1(&metricsSema, false, 0)
}

// The names of every metric the runtime knows (runtime/metrics' tests
// compare them with metrics.All).
//
//go:linkname metrics_test_runtime_readMetricNames runtime/metrics_test.runtime_readMetricNames
func metrics_test_runtime_readMetricNames() []string {
	var names []string
	for i := 0; i < rt_metricCount(); i++ {
		names = append(names, rt_metricName(i))
	}
	for _, info := range godebugs.All {
		if !info.Opaque {
			names = append(names, godebugMetricPrefix+info.Name+":events")
		}
	}
	return names
}
