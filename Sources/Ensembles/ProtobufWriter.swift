// ProtobufWriter: the protocol-buffer wire format, write-only — what an ONNX file needs.
//
// Why hand-written: exporting ONNX needs only to *write* about ten message types (model, graph,
// node, attribute, tensor, value info and their small parts), which is varints and
// length-delimited fields. swift-protobuf would need `protoc` and its plugin to generate
// `onnx.pb.swift` (thousands of lines to commit and keep in step) plus a runtime dependency, for
// no reading we do. The field numbers used are those of onnx/onnx.proto (IR version 8).

public struct ProtobufWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func tag(_ field: Int, _ wireType: Int) { varint(UInt64(field << 3 | wireType)) }

    /// A varint field (int32, int64, enum); negative values as ten-byte two's complement.
    public mutating func int(_ field: Int, _ value: Int) {
        tag(field, 0)
        varint(UInt64(bitPattern: Int64(value)))
    }

    /// A 32-bit float field.
    public mutating func float(_ field: Int, _ value: Float) {
        tag(field, 5)
        let b = value.bitPattern
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: b >> (8 * UInt32(i)))) }
    }

    /// A length-delimited field: bytes, a string or an embedded message.
    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        tag(field, 2)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    public mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        bytes(field, inner.bytes)
    }

    /// A packed repeated varint field (`repeated int64 ints`, dims).
    public mutating func packedInts(_ field: Int, _ values: [Int]) {
        var inner = ProtobufWriter()
        for v in values { inner.varint(UInt64(bitPattern: Int64(v))) }
        bytes(field, inner.bytes)
    }

    /// A packed repeated float field.
    public mutating func packedFloats(_ field: Int, _ values: [Float]) {
        var raw: [UInt8] = []
        raw.reserveCapacity(values.count * 4)
        for v in values { let b = v.bitPattern; for i in 0..<4 { raw.append(UInt8(truncatingIfNeeded: b >> (8 * UInt32(i)))) } }
        bytes(field, raw)
    }
}
