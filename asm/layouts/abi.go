// Layouts of the internal/abi types that gort's Rust code reads: type
// descriptors emitted by the compiler and linker. This file is not compiled
// by Go; src/build parses it to generate Rust structs (crate::layout::abi),
// and the layout test checks it against the DWARF of an upstream binary.
// The real internal/abi package stays upstream's.

package abi

const MapBucketCount = 8

type Kind uint
type TFlag uint8
type NameOff int32
type TypeOff int32
type TextOff int32
type ChanDir int
type FuncID uint8
type FuncFlag uint8

type Type struct {
	Size_       uintptr
	PtrBytes    uintptr
	Hash        uint32
	TFlag       TFlag
	Align_      uint8
	FieldAlign_ uint8
	Kind_       uint8
	Equal       func(unsafe.Pointer, unsafe.Pointer) bool
	GCData      *byte
	Str         NameOff
	PtrToThis   TypeOff
}

type Method struct {
	Name NameOff
	Mtyp TypeOff
	Ifn  TextOff
	Tfn  TextOff
}

type UncommonType struct {
	PkgPath NameOff
	Mcount  uint16
	Xcount  uint16
	Moff    uint32
	_       uint32
}

type Imethod struct {
	Name NameOff
	Typ  TypeOff
}

type ArrayType struct {
	Type
	Elem  *Type
	Slice *Type
	Len   uintptr
}

type ChanType struct {
	Type
	Elem *Type
	Dir  ChanDir
}

type FuncType struct {
	Type
	InCount  uint16
	OutCount uint16
}

type PtrType struct {
	Type
	Elem *Type
}

type SliceType struct {
	Type
	Elem *Type
}

type Name struct {
	Bytes *byte
}

type StructField struct {
	Name   Name
	Typ    *Type
	Offset uintptr
}

type StructType struct {
	Type
	PkgPath Name
	Fields  []StructField
}

type InterfaceType struct {
	Type
	PkgPath Name
	Methods []Imethod
}

type MapType struct {
	Type
	Key        *Type
	Elem       *Type
	Bucket     *Type
	Hasher     func(unsafe.Pointer, uintptr) uintptr
	KeySize    uint8
	ValueSize  uint8
	BucketSize uint16
	Flags      uint32
}

type TypeAssert struct {
	Cache   *TypeAssertCache
	Inter   *InterfaceType
	CanFail bool
}

type TypeAssertCache struct {
	Mask    uintptr
	Entries [1]TypeAssertCacheEntry
}

type TypeAssertCacheEntry struct {
	Typ  uintptr
	Itab uintptr
}

type InterfaceSwitch struct {
	Cache  *InterfaceSwitchCache
	NCases int
	Cases  [1]*InterfaceType
}

type InterfaceSwitchCache struct {
	Mask    uintptr
	Entries [1]InterfaceSwitchCacheEntry
}

type InterfaceSwitchCacheEntry struct {
	Typ  uintptr
	Case int
	Itab uintptr
}

// The register image reflectcall loads before a call and stores after it
// (amd64: nine integer and fifteen floating-point argument registers).
// Ptrs repeats the pointer-typed integer registers for the collector.
type RegArgs struct {
	Ints        [9]uintptr
	Floats      [15]uint64
	Ptrs        [9]unsafe.Pointer
	ReturnIsPtr [2]uint8
}
