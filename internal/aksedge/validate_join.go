package aksedge

import "strings"

// checkJoin checks the Join block of a join file: complete for the flavour its token implies,
// and consistent with the kind of node it adds. Messages never quote a secret.
func (fc *fileCheck) checkJoin() {
	j := fc.c.Join
	if fc.c.DeploymentType != "" && !fc.scalable() {
		fc.errorf("Join", "a %s cannot be joined; only a ScalableCluster grows, so set "+
			"DeploymentType to ScalableCluster or remove the Join block",
			CanonicalDeploymentType(fc.c.DeploymentType))
	}
	if j.ClusterId == "" {
		fc.required("Join.ClusterId", "the identity of the cluster to join (ConfigMap "+
			"aksedge/aksedge, key clustername); kubectl aksee scale-config fills it in")
	}
	token := j.ClusterJoinToken.Reveal()
	switch {
	case token == "":
		fc.required("Join.ClusterJoinToken", "a fresh token from kubectl aksee scale-config "+
			"(a token lasts 24 hours and each new one replaces the last)")
		if j.DiscoveryTokenHash != "" {
			fc.checkK8sJoin(j)
		}
	case strings.HasPrefix(token, "K10"):
		fc.checkK3sJoin(j, token)
	case bootstrapToken.MatchString(token):
		fc.checkK8sJoin(j)
	default:
		fc.errorf("Join.ClusterJoinToken", "neither a K3s token (K10<CA hash>::<credentials>) nor "+
			"a K8s bootstrap token (<6 characters>.<16 characters>); generate a new one with "+
			"kubectl aksee scale-config")
	}
}

func (fc *fileCheck) checkK3sJoin(j *Join, token string) {
	m := k3sToken.FindStringSubmatch(token)
	if m == nil {
		fc.errorf("Join.ClusterJoinToken", "starts like a K3s token but is not K10<64 hex "+
			"characters>::<credentials>; generate a new one with kubectl aksee scale-config")
		return
	}
	if j.DiscoveryTokenHash != "" {
		fc.errorf("Join.DiscoveryTokenHash", "set, but the token is a K3s token and K3s joins "+
			"carry no discovery hash; remove it or use a K8s token")
	}
	if j.CertificateKey != "" {
		fc.errorf("Join.CertificateKey", "set, but the token is a K3s token and only K8s "+
			"control-plane joins use a certificate key; remove it")
	}
	if fc.controlPlane() && bootstrapToken.MatchString(m[1]) {
		fc.errorf("Join.ClusterJoinToken", "a K3s control-plane join needs the server token "+
			"(K10…::server:…), but this one carries a bootstrap token, which joins workers only; "+
			"generate it on a control-plane machine (kubectl aksee scale-config --via-host)")
	}
}

func (fc *fileCheck) checkK8sJoin(j *Join) {
	switch {
	case j.DiscoveryTokenHash == "":
		fc.required("Join.DiscoveryTokenHash", "sha256:<hex> of the cluster CA's public key, "+
			"which kubectl aksee scale-config computes")
	case !discoveryHash.MatchString(j.DiscoveryTokenHash):
		fc.errorf("Join.DiscoveryTokenHash", "%q is not sha256:<64 hex characters>", j.DiscoveryTokenHash)
	}
	key := j.CertificateKey.Reveal()
	switch {
	case fc.controlPlane() && key == "":
		fc.required("Join.CertificateKey", "a K8s control-plane join decrypts the cluster "+
			"certificates with it; generate the file on a control-plane machine "+
			"(kubectl aksee scale-config --via-host)")
	case key != "" && !certificateKey.MatchString(key):
		fc.errorf("Join.CertificateKey", "not 64 hex characters; generate a new one on a "+
			"control-plane machine")
	case key != "" && !fc.controlPlane():
		fc.warnf("Join.CertificateKey", "set, but this machine joins as a worker, which does not "+
			"use it; remove it or set LinuxNode.ControlPlane")
	}
}

// controlPlane reports whether the file adds a control-plane node.
func (fc *fileCheck) controlPlane() bool {
	for _, m := range fc.c.Machines {
		if m.LinuxNode != nil && deref(m.LinuxNode.ControlPlane, false) {
			return true
		}
	}
	return false
}
