# vtd-pasid: a QEMU patch series for Intel VT-d scalable-mode PASID work.
# See README.md. Every target installs what it needs (scripts/deps.sh).

SHELL := /bin/bash
S := scripts

.PHONY: all help deps base tree export mbox check-series qemu qemu-base check demo demo-nested asan

all: help

help:
	@echo "make demo        boot a Linux guest on the patched vIOMMU (scalable mode, first stage)"
	@echo "make demo-nested the real-kernel chain with PASIDs, told plainly (L0 -> L1 -> inner QEMU)"
	@echo "make check       dependencies, base, series check, qtests, repository tests"
	@echo "make qemu        build the patched qemu-system-x86_64, print its path"
	@echo "make qemu-base   build the unpatched 10.2.2 binary, print its path"
	@echo "make tree        (re)make the git work tree from patches/ (refuses to drop edits)"
	@echo "make export      write the work tree's commits back to patches/"
	@echo "make mbox        one mbox per sub-series (cover letters, your sign-off) for git send-email"
	@echo "make check-series  apply + checkpatch + per-patch build and qtests"
	@echo "make asan        the intel-iommu qtests on an ASan + UBSan build of the series"
	@echo "make l1-kernel   build the L1 Linux (iommufd, vfio-pci) for the real-kernel chain"
	@echo "make e2e         L0 (patched QEMU) -> L1 Linux -> scenarios on real iommufd/vfio"
	@echo "make e2e-selftest  the same with L1's IOMMU off: vfio-bind, vfio-dma must fail"
	@echo "make bench       callgrind instruction counts, unpatched 10.2.2 vs patched (not a test)"

deps:
	@$(S)/deps.sh

base: deps
	@$(S)/base.sh

tree: deps
	@$(S)/tree.sh

export:
	@$(S)/export.sh

mbox: deps
	@$(S)/mbox.sh

check-series: deps
	@$(S)/check-series.sh

qemu: deps
	@$(S)/qemu.sh

qemu-base: deps
	@$(S)/tree.sh --base-only >/dev/null && $(S)/build.sh --tree "$$($(S)/tree.sh --base-only 2>/dev/null | tail -1)"

check:
	@$(S)/check.sh

asan: deps
	@$(S)/asan.sh

demo: deps
	@qemu=$$($(S)/qemu.sh | tail -1) && harness/demo/run.sh "$$qemu"

demo-nested: deps
	@harness/demo/nested.sh

# Real-kernel end-to-end chain (harness/e2e/): L0 = patched QEMU, L1 =
# Linux with iommufd + vfio-pci, our QEMU inside L1 over qtest.
# E2E_ARGS passes options, e.g. make e2e E2E_ARGS="--verbose vfio-bind".
.PHONY: l1-kernel e2e e2e-selftest

l1-kernel: deps
	@harness/e2e/l1-kernel.sh

e2e: deps
	@harness/e2e/run.sh $(E2E_ARGS)

e2e-selftest: deps
	@harness/e2e/run.sh --selftest $(E2E_ARGS)

# Benchmark (harness/bench/): instructions per PASID-selective PASID-cache
# invalidation and per IOTLB-hit translation, unpatched 10.2.2 vs the
# series, under valgrind callgrind. Prints figures; never fails on them.
# BENCH_ARGS passes options, e.g. make bench BENCH_ARGS="--psi 50".
.PHONY: bench

bench: deps
	@harness/bench/run.sh $(BENCH_ARGS)
