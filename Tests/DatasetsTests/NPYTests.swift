import Foundation
import TestSupport
import XCTest
@testable import Datasets

final class NPYTests: XCTestCase {
    var scratch: TemporaryDirectory!

    override func setUpWithError() throws { scratch = try TemporaryDirectory(prefix: "npy") }
    override func tearDown() { scratch = nil }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = scratch.file(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A .npy file written byte by byte: magic, version, header length, header, data.
    static func file(descr: String, shape: String, fortran: Bool = false, version: UInt8 = 1, data: [UInt8]) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
        let prefix = version == 1 ? 10 : 12
        header += String(repeating: " ", count: (64 - (prefix + header.utf8.count + 1) % 64) % 64) + "\n"
        let n = header.utf8.count
        let length: [UInt8] = version == 1 ? [UInt8(n & 255), UInt8(n >> 8)] : [UInt8(n & 255), UInt8(n >> 8), 0, 0]
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0] + length + Array(header.utf8) + data
    }

    func testEveryDTypeRoundTripsBothByteOrders() throws {
        let values: [Double] = [0, 1, -2, 3, 100, -7]
        let unsigned: [Double] = [0, 1, 2, 3, 200, 7]
        let dtypes = ["f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"]
        for code in dtypes {
            for order in code.hasSuffix("1") ? ["|"] : ["<", ">"] {
                let descr = order + code
                let v = code.hasPrefix("u") ? unsigned : values
                let array = try NPY.array(v, shape: [2, 3], dtype: descr)
                XCTAssertEqual(array.descr, descr)
                let path = try write("a\(code)\(order == ">" ? "be" : "le").npy", NPY.encode(array))
                let read = try NPY.read(path: path)
                XCTAssertEqual(read.shape, [2, 3], descr)
                XCTAssertEqual(read.floats(), v.map(Float.init), descr)
                XCTAssertEqual((0..<6).map { read.integer(at: $0) }, v.map { Int($0) }, descr)
                XCTAssertEqual(read, array, descr)
            }
        }
        let b = try NPY.parse(Self.file(descr: "|b1", shape: "(3,)", data: [1, 0, 1]), source: "b.npy")
        XCTAssertEqual(b.dtypeName, "bool")
        XCTAssertEqual(b.floats(), [1, 0, 1])
        XCTAssertEqual(b.integer(at: 0), 1)
    }

    func testBytesAsNumPyWritesThem() throws {
        // float32 1.5 and -2 little-endian; big-endian int16 258; float64 0.25.
        let f = try NPY.parse(Self.file(descr: "<f4", shape: "(2,)", data: [0, 0, 0xC0, 0x3F, 0, 0, 0, 0xC0]), source: "f")
        XCTAssertEqual(f.floats(), [1.5, -2])
        let i = try NPY.parse(Self.file(descr: ">i2", shape: "(1, 1)", data: [1, 2]), source: "i")
        XCTAssertEqual(i.integer(at: 0), 258)
        let n = try NPY.parse(Self.file(descr: "<i2", shape: "(1,)", data: [0xFE, 0xFF]), source: "n")
        XCTAssertEqual(n.integer(at: 0), -2)
        let d = try NPY.parse(Self.file(descr: "<f8", shape: "(1,)", version: 2, data: [0, 0, 0, 0, 0, 0, 0xD0, 0x3F]), source: "d")
        XCTAssertEqual(d.double(at: 0), 0.25)
        let u = try NPY.parse(Self.file(descr: "<u8", shape: "(1,)", data: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), source: "u")
        XCTAssertNil(u.integer(at: 0), "uint64 max does not fit an Int")
    }

    func testHeaderVersionsOneTwoAndThree() throws {
        let a = try NPY.array([1, 2, 3, 4], shape: [2, 2], dtype: "<f4")
        for version: UInt8 in [1, 2, 3] {
            let bytes = NPY.encode(a, version: version)
            XCTAssertEqual(bytes[6], version)
            let length = Int(bytes[8]) | Int(bytes[9]) << 8 | (version == 1 ? 0 : Int(bytes[10]) << 16)
            XCTAssertEqual(((version == 1 ? 10 : 12) + length) % 64, 0, "the data starts 64-aligned")
            XCTAssertEqual(try NPY.parse(bytes, source: "v\(version)"), a)
        }
        // Python 2's long literals and double quotes.
        let header = "{\"descr\": \"<u1\", \"fortran_order\": False, \"shape\": (2L, 1L)}\n"
        let n = header.utf8.count
        let bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(n), 0] + Array(header.utf8) + [7, 9]
        XCTAssertEqual(try NPY.parse(bytes, source: "py2").floats(), [7, 9])
    }

    func testTypedErrors() throws {
        func error(_ bytes: [UInt8]) -> DatasetError? {
            do { _ = try NPY.parse(bytes, source: "a.npy"); return nil } catch { return error as? DatasetError }
        }
        guard case .notNPY(let p, let found)? = error(Array("x,y\n1,2\n".utf8)) else { return XCTFail("bad magic") }
        XCTAssertEqual(p, "a.npy")
        XCTAssertTrue(found.contains("x,y"), found)
        XCTAssertTrue("\(DatasetError.notNPY(path: p, found: found))".contains("numpy.save"))
        XCTAssertEqual(error(Self.file(descr: "<c8", shape: "(1,)", data: Array(repeating: 0, count: 8))),
                       .unsupportedDType(path: "a.npy", dtype: "'<c8' (complex)"))
        XCTAssertEqual(error(Self.file(descr: "<f2", shape: "(1,)", data: [0, 0])),
                       .unsupportedDType(path: "a.npy", dtype: "'<f2' (float16)"))
        XCTAssertEqual(error(Self.file(descr: "<U3", shape: "(1,)", data: Array(repeating: 0, count: 12))),
                       .unsupportedDType(path: "a.npy", dtype: "'<U3' (unicode string)"))
        XCTAssertEqual(error(Self.file(descr: "|O", shape: "(1,)", data: [])),
                       .unsupportedDType(path: "a.npy", dtype: "'|O'"))
        XCTAssertTrue("\(DatasetError.unsupportedDType(path: "a.npy", dtype: "'<c8' (complex)"))".contains("'<c8'"))
        XCTAssertEqual(error(Self.file(descr: "<f4", shape: "(2, 3)", fortran: true, data: Array(repeating: 0, count: 24))),
                       .fortranOrder(path: "a.npy"))
        XCTAssertNotNil(try? NPY.parse(Self.file(descr: "<f4", shape: "(3,)", fortran: true, data: Array(repeating: 0, count: 12)),
                                       source: "1-d"), "a 1-D array is the same in both orders")
        guard case .truncated? = error(Self.file(descr: "<f4", shape: "(2, 3)", data: Array(repeating: 0, count: 20))) else {
            return XCTFail("truncated data")
        }
        guard case .truncated? = error(Array(Self.file(descr: "<f4", shape: "(1,)", data: []).prefix(30))) else {
            return XCTFail("truncated header")
        }
        guard case .corrupt? = error([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 4, 0, 0, 0]) else { return XCTFail("version 4") }
        XCTAssertThrowsError(try NPY.read(path: scratch.file("none.npy").path)) { e in
            guard case DatasetError.missingFile = e else { return XCTFail("\(e)") }
        }
    }

    func testImagesKeepTheirShapeAndLabelsMapToClasses() throws {
        // [4, 2, 3, 1] uint8 images; labels [4, 1] int64 with values 3 and 7.
        let x = try NPY.array((0..<24).map(Double.init), shape: [4, 2, 3, 1], dtype: "|u1")
        let y = try NPY.array([7, 3, 7, 3], shape: [4, 1], dtype: "<i8")
        let (train, test, names) = try NumPyData.datasets(train: .init(x: x, xSource: "x.npy", y: y, ySource: "y.npy"), test: nil)
        XCTAssertNil(test)
        XCTAssertEqual(train.imageShape, [2, 3, 1])
        XCTAssertEqual(train.featureCount, 6)
        XCTAssertEqual(train.labels, [1, 0, 1, 0])
        XCTAssertEqual(names, ["3", "7"])
        XCTAssertEqual(train.features[7], 7)
        let hw = try NPY.array((0..<12).map(Double.init), shape: [2, 3, 2], dtype: "<f4")
        let d = try NumPyData.datasets(train: .init(x: hw, xSource: "x", y: try NPY.array([0, 1], shape: [2], dtype: "|b1"), ySource: "y"),
                                       test: .init(x: hw, xSource: "tx", y: try NPY.array([1, 1], shape: [2], dtype: "<f8"), ySource: "ty"))
        XCTAssertEqual(d.train.imageShape, [3, 2, 1], "[N, H, W] has one channel")
        XCTAssertEqual(d.test?.labels, [1, 1])
        XCTAssertEqual(d.classNames, ["0", "1"])
        let rgb = try NPY.array(Array(repeating: 1, count: 2 * 4 * 4 * 3), shape: [2, 4, 4, 3], dtype: "<f4")
        XCTAssertEqual(try NumPyData.features(rgb, source: "rgb", rowShape: nil).imageShape, [4, 4, 3])
    }

    func testArrayShapeAndLabelErrors() throws {
        let x = try NPY.array(Array(repeating: 0, count: 6), shape: [3, 2], dtype: "<f4")
        func error(_ x: NPYArray, _ y: NPYArray, test: (NPYArray, NPYArray)? = nil) -> DatasetError? {
            do {
                _ = try NumPyData.datasets(train: .init(x: x, xSource: "x.npy", y: y, ySource: "y.npy"),
                                           test: test.map { .init(x: $0.0, xSource: "tx.npy", y: $0.1, ySource: "ty.npy") })
                return nil
            } catch { return error as? DatasetError }
        }
        XCTAssertEqual(error(x, try NPY.array([0, 1], shape: [2], dtype: "<i4")),
                       .rowCountMismatch(x: "x.npy", xRows: 3, y: "y.npy", yRows: 2))
        XCTAssertEqual(error(x, try NPY.array([0, 1, 0, 1, 0, 1], shape: [3, 2], dtype: "<i4")),
                       .labelShape(path: "y.npy", shape: [3, 2]))
        XCTAssertEqual(error(x, try NPY.array([0, 1.5, 0], shape: [3], dtype: "<f8")),
                       .nonIntegerLabel(path: "y.npy", index: 1, value: "1.5"))
        XCTAssertTrue("\(DatasetError.nonIntegerLabel(path: "y.npy", index: 1, value: "1.5"))".contains("task: regression"))
        XCTAssertEqual(error(try NPY.array([0, 1, 2], shape: [3], dtype: "<f4"), try NPY.array([0, 1, 0], shape: [3], dtype: "<i4")),
                       .featureShape(path: "x.npy", shape: [3], expected: "[N, F] (a table), [N, H, W] or [N, H, W, C] (images)"))
        let y = try NPY.array([0, 1, 0], shape: [3], dtype: "<i4")
        guard case .featureShape(let p, let s, _)? = error(x, y, test: (try NPY.array([0, 0, 0], shape: [1, 3], dtype: "<f4"),
                                                                         try NPY.array([0], shape: [1], dtype: "<i4"))) else {
            return XCTFail("test x of another width")
        }
        XCTAssertEqual(p, "tx.npy")
        XCTAssertEqual(s, [1, 3])
        XCTAssertEqual(error(try NPY.array([0, .nan, 0, 0, 0, 0], shape: [3, 2], dtype: "<f4"), y),
                       .nonFinite(path: "x.npy", index: 1, value: "nan"))
    }

    /// NumPy's own files, when python3 with numpy is installed.
    func testFilesWrittenByNumPy() throws {
        let dir = scratch.url.path
        let script = """
        import numpy as np
        x = np.arange(24, dtype=np.float32).reshape(4, 2, 3) / 7
        np.save('\(dir)/x.npy', x)
        np.save('\(dir)/xbe.npy', x.astype('>f8'))
        np.save('\(dir)/y.npy', np.array([2, 0, 1, 2], dtype=np.uint8))
        np.save('\(dir)/fortran.npy', np.asfortranarray(np.ones((3, 2))))
        np.savez('\(dir)/stored.npz', x=x, y=np.array([1, 0, 1, 0]))
        np.savez_compressed('\(dir)/deflated.npz', x=x, y=np.array([1, 0, 1, 0]), test_x=x[:2], test_y=np.array([0, 1]))
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script]
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try XCTSkipUnless(p.terminationStatus == 0, "python3 with numpy is not installed")
        let x = try NPY.read(path: "\(dir)/x.npy")
        XCTAssertEqual(x.shape, [4, 2, 3])
        XCTAssertEqual(x.floats(), (0..<24).map { Float($0) / 7 })
        XCTAssertEqual(try NPY.read(path: "\(dir)/xbe.npy").floats(), (0..<24).map { Float(Double(Float($0) / 7)) })
        XCTAssertEqual(try NPY.read(path: "\(dir)/y.npy").floats(), [2, 0, 1, 2])
        XCTAssertThrowsError(try NPY.read(path: "\(dir)/fortran.npy")) { XCTAssertEqual($0 as? DatasetError, .fortranOrder(path: "\(dir)/fortran.npy")) }
        for name in ["stored", "deflated"] {
            let archive = try NPZArchive(path: "\(dir)/\(name).npz")
            XCTAssertEqual(try archive.array("x").floats(), x.floats(), name)
            XCTAssertEqual(try archive.array("y").floats(), [1, 0, 1, 0], name)
        }
        let deflated = try NPZArchive(path: "\(dir)/deflated.npz")
        XCTAssertEqual(Set(deflated.keys), ["x", "y", "test_x", "test_y"])
        XCTAssertTrue(deflated.members.allSatisfy { $0.method == 8 })
        XCTAssertTrue(try NPZArchive(path: "\(dir)/stored.npz").members.allSatisfy { $0.method == 0 })
    }
}
