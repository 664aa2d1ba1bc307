package hostsim

import (
	"testing"
	"time"

	"github.com/Azure/go-ntlmssp"
)

func TestVerifyNTLMv2(t *testing.T) {
	now := time.Now()
	challenge := newChallenge()
	other := newChallenge()
	cases := []struct {
		name      string
		password  string // the client's
		challenge [8]byte
		now       time.Time
		wantOK    bool
	}{
		{name: "the right password is accepted", password: "s3cret!", challenge: challenge, now: now,
			wantOK: true},
		{name: "a wrong password is refused", password: "s3cret?", challenge: challenge, now: now},
		{name: "a response to another challenge is refused", password: "s3cret!", challenge: other,
			now: now},
		{name: "a stale response is refused", password: "s3cret!", challenge: challenge,
			now: now.Add(48 * time.Hour)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := ntlmChallengeMessage("WORKER02", challenge, now)
			auth, err := ntlmssp.ProcessChallenge(msg, "Administrator", tc.password, true)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := parseNTLMAuthenticate(auth)
			if err != nil {
				t.Fatal(err)
			}
			if parsed.user != "Administrator" || parsed.domain != "WORKER02" {
				t.Errorf("user %q domain %q, want Administrator WORKER02", parsed.user, parsed.domain)
			}
			err = verifyNTLMv2(parsed, "s3cret!", tc.challenge, tc.now)
			if (err == nil) != tc.wantOK {
				t.Errorf("verify: %v, want ok=%v", err, tc.wantOK)
			}
		})
	}
}

func TestParseNTLMAuthenticateRejectsGarbage(t *testing.T) {
	cases := map[string][]byte{
		"empty":       nil,
		"wrong magic": []byte("NOTNTLM\x00\x03\x00\x00\x00"),
		"truncated":   append([]byte("NTLMSSP\x00\x03\x00\x00\x00"), make([]byte, 10)...),
		"out of range": func() []byte {
			b := append([]byte("NTLMSSP\x00\x03\x00\x00\x00"), make([]byte, 52)...)
			b[20], b[24] = 200, 50 // NT response: 200 bytes at offset 50
			return b
		}(),
	}
	for name, msg := range cases {
		if _, err := parseNTLMAuthenticate(msg); err == nil {
			t.Errorf("%s: parsed without error", name)
		}
	}
}
