// `hpsearch bench …`: benchmarks that print figures for this machine.
import ArgumentParser
import Benchmarks
import Datasets
import Foundation
import TensorCore

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure this machine: tensor-core speed against OpenBLAS, rank 0's throughput, the health probe's cost.",
        subcommands: [TensorBench.self, CoordinatorBench.self, HealthBench.self]
    )
}

struct TensorBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tensor",
        abstract: "GEMM efficiency of training, and MLP/CNN/ResNet training images/s on Fashion-MNIST."
    )

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(help: "BLAS threads for the multi-threaded figures (default: HPSEARCH_BLAS_THREADS, else 2, as the anchors use).")
    var threads: Int?

    @Option(help: "Seconds to measure each figure.")
    var seconds = 3.0

    @Option(help: "Directory with Fashion-MNIST IDX files.")
    var data = Dataset.fashionMNISTDirectory

    @Option(help: ArgumentHelp("Measure only these figures (comma-separated: gemm, mlp, mlp1, cnn, resnet); peak_rss_mb is then that figure's; --json writes the others as the string \"NaN\"."))
    var only: String?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
    }

    func run() throws {
        let threads = try self.threads ?? BLAS.configureThreads(fallback: 2)
        var bench = TensorBenchmark(threads: threads, seconds: seconds, dataDirectory: data) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        bench.only = Set((only ?? "").split(separator: ",").map(String.init))
        let r = try bench.run()
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            // Figures left out by --only are NaN, which JSON cannot hold: the string "NaN".
            enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "NaN")
            print(String(decoding: try enc.encode(r), as: UTF8.self))
            return
        }
        func f(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }
        let rows: [(String, String, String)] = [
            ("gemm_gflops", f(r.gemm_gflops), "raw cblas_sgemm, the GEMMs of one 784-1024-1024-10 step, batch 256"),
            ("train_gflops", f(r.train_gflops), "same FLOPs / full training step (fwd + bwd + Adam)"),
            ("gemm_efficiency", f(r.gemm_efficiency, 3), "train / gemm (target ≥ 0.75)"),
            ("mlp_images_per_s", f(r.mlp_images_per_s, 0), "784-256-128-10, batch 128, \(r.blas_threads) threads"),
            ("mlp_gemm_bound_images_per_s", f(r.mlp_gemm_bound_images_per_s, 0), "ceiling: that MLP's raw GEMMs alone"),
            ("mlp_images_per_s_1thread", f(r.mlp_images_per_s_1thread, 0), "same, 1 thread"),
            ("cnn_images_per_s", f(r.cnn_images_per_s, 0), "conv32-pool-conv64-pool-128-10, batch 128"),
            ("resnet_images_per_s", f(r.resnet_images_per_s, 0), "sweeps/fashion-resnet.yaml's residual net at its defaults, batch 128"),
            ("peak_rss_mb", f(r.peak_rss_mb), "peak resident memory"),
        ]
        print("hpsearch bench tensor — data: \(r.data); OpenBLAS kernels: \(BLAS.coreName) (figures depend on them)")
        let w = rows.map(\.0.count).max()!
        for (k, v, note) in rows {
            print(k.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + String(repeating: " ", count: max(0, 10 - v.count)) + v + "   " + note)
        }
        print("Compare: python3 ../shared/anchors/numpy_mlp.py 2 3  (numpy's img/s on the same MLP, data and batch)")
    }
}
