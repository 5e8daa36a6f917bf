// swift-tools-version:6.0
// A Swift package that adds its own model family to hpsearch through HPSearchKit and gets the
// whole command line (run, resume, check, train, ensemble, distill, …) for it.
import PackageDescription

let package = Package(
    name: "custom-model",
    dependencies: [
        // Your own package would name hpsearch's repository and a version here.
        .package(name: "hpsearch", path: "../.."),
    ],
    targets: [
        .executableTarget(name: "funnel-search", dependencies: [.product(name: "HPSearchKit", package: "hpsearch")]),
    ]
)
