package aksedge

import "slices"

// Extra is what a load keeps so that a save gives the file back unchanged: the keys of the
// object in file order, which of them were null, and the values of the keys this package
// does not know (AKS EE adds keys release by release). Code that builds a Config leaves it
// zero; keys it sets are then written in AKS EE's order.
type Extra struct {
	keys []rawKey
}

// rawKey is one key of an object as read from the file.
type rawKey struct {
	name  string // AKS EE's spelling for a known key, the file's spelling otherwise
	known bool
	null  bool  // the file gave null
	value *node // the value of an unknown key
}

// Unknown returns the keys of the object this package does not know, in file order.
func (e Extra) Unknown() []string {
	var names []string
	for _, k := range e.keys {
		if !k.known {
			names = append(names, k.name)
		}
	}
	return names
}

// Equal reports whether e and o hold the same keys in the same order with the same unknown
// values. It lets github.com/google/go-cmp compare Configs.
func (e Extra) Equal(o Extra) bool {
	return slices.EqualFunc(e.keys, o.keys, func(a, b rawKey) bool {
		if a.name != b.name || a.known != b.known || a.null != b.null {
			return false
		}
		return a.value == b.value || (a.value != nil && b.value != nil &&
			string(encodeNode(a.value)) == string(encodeNode(b.value)))
	})
}

// clone copies the key list; the nodes are never changed after a load, so they are shared.
func (e Extra) clone() Extra {
	return Extra{keys: slices.Clone(e.keys)}
}
