package hostsim

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/md4" //nolint:staticcheck // NTLM is defined on MD4
)

// The NTLM server side, after MS-NLMP: the server answers a NEGOTIATE message with a
// CHALLENGE and checks the AUTHENTICATE message's NTLMv2 response against the password.
// Only NTLMv2 is accepted; session security (signing, sealing) is not offered.

var ntlmSignature = []byte("NTLMSSP\x00")

const (
	ntlmNegotiate    = 1
	ntlmChallenge    = 2
	ntlmAuthenticate = 3

	flagUnicode        = 1 << 0
	flagRequestTarget  = 1 << 2
	flagNTLM           = 1 << 9
	flagAlwaysSign     = 1 << 15
	flagTargetTypeSrv  = 1 << 17
	flagExtendedSecure = 1 << 19
	flagTargetInfo     = 1 << 23
	flag128            = 1 << 29
	flag56             = 1 << 31

	avEOL              = 0
	avNbComputerName   = 1
	avNbDomainName     = 2
	avDNSComputerName  = 3
	avDNSDomainName    = 4
	avTimestamp        = 7
	windowsEpochOffset = 116444736000000000 // 100ns ticks from 1601 to 1970
	maxClockSkew       = 36 * time.Hour
)

// ntlmMessageType checks the NTLMSSP header and returns the message type.
func ntlmMessageType(msg []byte) (uint32, error) {
	if len(msg) < 12 || !bytes.Equal(msg[:8], ntlmSignature) {
		return 0, errors.New("not an NTLMSSP message")
	}
	return binary.LittleEndian.Uint32(msg[8:12]), nil
}

// ntlmChallengeMessage builds a CHALLENGE for a workgroup host named computer.
func ntlmChallengeMessage(computer string, challenge [8]byte, now time.Time) []byte {
	target := utf16le(computer)
	info := avPairs(computer, now)
	const fixed = 48
	flags := uint32(flagUnicode | flagRequestTarget | flagNTLM | flagAlwaysSign | flagTargetTypeSrv |
		flagExtendedSecure | flagTargetInfo | flag128 | flag56)
	var b bytes.Buffer
	b.Write(ntlmSignature)
	le(&b, uint32(ntlmChallenge))
	varField(&b, len(target), fixed)
	le(&b, flags)
	b.Write(challenge[:])
	b.Write(make([]byte, 8))
	varField(&b, len(info), fixed+len(target))
	b.Write(target)
	b.Write(info)
	return b.Bytes()
}

func avPairs(computer string, now time.Time) []byte {
	var b bytes.Buffer
	pair := func(id uint16, v []byte) {
		le(&b, id)
		le(&b, uint16(len(v)))
		b.Write(v)
	}
	name := utf16le(strings.ToUpper(computer))
	pair(avNbDomainName, name)
	pair(avNbComputerName, name)
	pair(avDNSDomainName, utf16le(strings.ToLower(computer)))
	pair(avDNSComputerName, utf16le(strings.ToLower(computer)))
	ts := make([]byte, 8)
	binary.LittleEndian.PutUint64(ts, uint64(now.UnixNano()/100+windowsEpochOffset))
	pair(avTimestamp, ts)
	pair(avEOL, nil)
	return b.Bytes()
}

// ntlmAuth is what an AUTHENTICATE message says.
type ntlmAuth struct {
	user, domain string
	ntResponse   []byte
}

func parseNTLMAuthenticate(msg []byte) (*ntlmAuth, error) {
	if t, err := ntlmMessageType(msg); err != nil || t != ntlmAuthenticate {
		return nil, errors.New("not an NTLM AUTHENTICATE message")
	}
	if len(msg) < 64 {
		return nil, errors.New("NTLM AUTHENTICATE message is truncated")
	}
	field := func(off int) ([]byte, error) {
		n := int(binary.LittleEndian.Uint16(msg[off:]))
		at := int(binary.LittleEndian.Uint32(msg[off+4:]))
		if at < 0 || at+n > len(msg) {
			return nil, errors.New("NTLM field extends beyond the message")
		}
		return msg[at : at+n], nil
	}
	nt, err := field(20)
	if err != nil {
		return nil, err
	}
	domain, err := field(28)
	if err != nil {
		return nil, err
	}
	user, err := field(36)
	if err != nil {
		return nil, err
	}
	flags := binary.LittleEndian.Uint32(msg[60:])
	if flags&flagUnicode == 0 {
		return nil, errors.New("NTLM AUTHENTICATE message is not Unicode")
	}
	return &ntlmAuth{user: fromUTF16le(user), domain: fromUTF16le(domain), ntResponse: nt}, nil
}

// verifyNTLMv2 checks an NTLMv2 response: NTProofStr = HMAC-MD5(NTOWFv2, challenge || blob)
// where NTOWFv2 = HMAC-MD5(MD4(UTF-16LE(password)), UTF-16LE(UPPER(user) || domain)).
func verifyNTLMv2(a *ntlmAuth, password string, challenge [8]byte, now time.Time) error {
	if len(a.ntResponse) < 16+28 {
		return errors.New("the NTLM response is not NTLMv2")
	}
	proof, blob := a.ntResponse[:16], a.ntResponse[16:]
	if blob[0] != 1 || blob[1] != 1 {
		return errors.New("the NTLMv2 response has an unknown version")
	}
	ticks := int64(binary.LittleEndian.Uint64(blob[8:16])) - windowsEpochOffset
	if skew := now.Sub(time.Unix(0, ticks*100)); skew > maxClockSkew || skew < -maxClockSkew {
		return fmt.Errorf("the NTLMv2 timestamp is %s off", skew.Round(time.Second))
	}
	ntowf := hmacMD5(ntHash(password), utf16le(strings.ToUpper(a.user)+a.domain))
	if !hmac.Equal(proof, hmacMD5(ntowf, challenge[:], blob)) {
		return errors.New("the NTLMv2 proof does not match the password")
	}
	return nil
}

func ntHash(password string) []byte {
	h := md4.New()
	h.Write(utf16le(password))
	return h.Sum(nil)
}

func hmacMD5(key []byte, data ...[]byte) []byte {
	m := hmac.New(md5.New, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}

func newChallenge() [8]byte {
	var c [8]byte
	_, _ = rand.Read(c[:])
	return c
}

func utf16le(s string) []byte {
	units := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(units))
	for i, u := range units {
		binary.LittleEndian.PutUint16(b[2*i:], u)
	}
	return b
}

func fromUTF16le(b []byte) string {
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(units))
}

func le(b *bytes.Buffer, v any) { _ = binary.Write(b, binary.LittleEndian, v) }

func varField(b *bytes.Buffer, n, offset int) {
	le(b, uint16(n))
	le(b, uint16(n))
	le(b, uint32(offset))
}
