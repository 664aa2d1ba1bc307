# kubectl-aksee build, test and local-cluster targets. Run `make help` for the list.
GO ?= go
BIN_DIR := bin
BINARY := $(BIN_DIR)/kubectl-aksee
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(shell $(GO) env GOPATH)/bin/golangci-lint
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo v0.0.0-dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X github.com/kubectl-aksee/kubectl-aksee/internal/buildinfo.Version=$(VERSION) \
	-X github.com/kubectl-aksee/kubectl-aksee/internal/buildinfo.Commit=$(COMMIT)
TEST_FLAGS ?= -timeout 30m
CLUSTER_DIR ?= $(CURDIR)/.cluster

.PHONY: help build install test unit controlplane lint fmt tidy cluster-up cluster-down demo clean

help: ## Show the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: ## Build bin/kubectl-aksee.
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BINARY) ./cmd/kubectl-aksee

install: ## Install kubectl-aksee into GOBIN, so `kubectl aksee` finds it.
	$(GO) install -ldflags '$(LDFLAGS)' ./cmd/kubectl-aksee

controlplane: ## Build (or reuse from the cache) the local control-plane binaries.
	@hack/build-controlplane.sh >/dev/null

test: controlplane ## Run the unit and integration tests (builds the control plane on first use).
	AKSEE_CONTROLPLANE_DIR=$$(hack/build-controlplane.sh) $(GO) test $(TEST_FLAGS) ./...
	@# Build and link every test for Windows without running it; the binaries cannot run here.
	GOOS=windows $(GO) test -count=1 -exec true -run '^$$' ./... >/dev/null

unit: ## Run the tests that need no control plane.
	AKSEE_SKIP_INTEGRATION=1 $(GO) test $(TEST_FLAGS) ./...

lint: $(GOLANGCI_LINT) ## Run golangci-lint, go vet and the go.mod tidiness check.
	$(GO) vet ./...
	$(GOLANGCI_LINT) run ./...
	$(GO) mod tidy -diff

$(GOLANGCI_LINT):
	GOFLAGS= $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

fmt: ## Format the code.
	gofmt -w $$(git ls-files '*.go')

demo: ## Scale out a local control plane onto a simulated Windows host, then stop it all.
	hack/demo.sh

cluster-up: controlplane ## Start a local control plane seeded as an AKS EE primary in .cluster/.
	hack/local-cluster.sh up $(CLUSTER_DIR)

cluster-down: ## Stop the local control plane started by cluster-up.
	hack/local-cluster.sh down $(CLUSTER_DIR)

clean: ## Remove build output.
	rm -rf $(BIN_DIR)
