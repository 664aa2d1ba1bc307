package cluster

import (
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// ErrForbidden means the kubeconfig's user lacks an RBAC right the command needs. The error
// text names the verb, resource and namespace, which is what a cluster admin has to grant.
var ErrForbidden = errors.New("forbidden")

// describeAPIError turns a 403 into an error that says which right is missing; other errors
// get the action as context.
func describeAPIError(err error, verb, resource, namespace string) error {
	where := ""
	if namespace != "" {
		where = " in " + namespace
	}
	if apierrors.IsForbidden(err) {
		return fmt.Errorf("%w: the current user may not %s %s%s; ask a cluster admin to grant it "+
			"(see the kubectl-aksee Role in deploy/rbac.yaml): %v", ErrForbidden, verb, resource, where, err)
	}
	return fmt.Errorf("%s %s%s: %w", verb, resource, where, err)
}
