package accessible

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// Connecting by Mesh API key (flow 1b), as line prompts: the hub and the
// Mesh-side steps, then the key, read without echo, checked with Mesh
// before anything goes to Synthesize.

// method asks how the Synthesize card connects; Enter keeps the present one.
func (a *Prompter) method() (string, error) {
	a.say("How does your Synthesize's Mesh card connect?")
	def := 1
	for i, m := range core.Methods {
		a.say("  %d. %s: %s", i+1, m.Name, m.Card)
		if m.Key == core.MethodOf(a.sess.Progress()) {
			def = i + 1
		}
	}
	picked, err := a.numbers(fmt.Sprintf("Method (Enter for %d): ", def), len(core.Methods), []int{def})
	if err != nil {
		return "", err
	}
	return core.StoredMethod(core.Methods[picked[0]-1].Key), nil
}

// apiKeys is flow 1b's step 2: the hub, and what to do in Mesh.
func (a *Prompter) apiKeys() error {
	a.say("Which Mesh hub does your account live in?")
	def := 1
	for i, h := range a.sess.Hubs() {
		a.say("  %d. %s: %s", i+1, h.Name, h.URL)
		if h.Region == a.sess.Progress().Region {
			def = i + 1
		}
	}
	picked, err := a.numbers(fmt.Sprintf("Hub (Enter for %d): ", def), len(a.sess.Hubs()), []int{def})
	if err != nil {
		return err
	}
	region := a.sess.Hubs()[picked[0]-1].Region
	if err := a.sess.Save(func(p *store.Progress) { p.Region = region })(); err != nil {
		return err
	}
	a.say("In Mesh (%s):", a.portalURL(region))
	for i, st := range mesh.APIKeySteps {
		a.say("  %d. %s", i+1, st)
	}
	return a.advance(core.Chosen)
}

// meshKey is flow 1b's step 3 (and a replacement from home): the key,
// checked with Mesh, then given to Synthesize.
func (a *Prompter) meshKey(ctx context.Context) error {
	hub := a.sess.Hubs()[0]
	for _, h := range a.sess.Hubs() {
		if h.Region == a.sess.Progress().Region {
			hub = h
		}
	}
	for {
		key, err := a.secret("Paste the Mesh API key (it is not shown as you type) and press Enter: ")
		if err != nil {
			return err
		}
		a.say("Checking the key with Mesh at %s…", hub.URL)
		sum, err := a.sess.CheckMeshKey(ctx, hub.URL, key)
		if err != nil {
			if ctx.Err() != nil {
				return ErrInterrupted
			}
			a.say("%s. Nothing was sent to Synthesize.", core.Explain(err))
			continue
		}
		a.say("%s.", core.KeyWorks(sum))
		keep := false
		if why := a.sess.KeyringMissing(); why == "" {
			if keep, err = a.yes("Also keep the key in the OS keyring (never in the state file), so billing shows Mesh's own numbers in later runs", false); err != nil {
				return err
			}
		}
		a.say("Giving the key and hub to Synthesize, which reads Mesh…")
		if _, err := a.sess.GiveMeshKey(ctx, hub.URL, key); err != nil {
			return err
		}
		if keep {
			if err := a.sess.KeepMeshKey(); err != nil {
				a.say("%s", text.Sanitize(err.Error()))
			}
		}
		return nil
	}
}

// secret asks for a line that is not echoed when stdin is a terminal.
func (a *Prompter) secret(prompt string) (string, error) {
	if f, ok := a.rawIn.(*os.File); ok {
		if restore := echoOff(f.Fd()); restore != nil {
			defer func() {
				restore()
				fmt.Fprintln(a.out) // the Enter that was not echoed
			}()
		}
	}
	return a.ask(prompt)
}

// waitPull is step 4 connected by Mesh API key: Synthesize reads Mesh.
func (a *Prompter) waitPull(ctx context.Context) error {
	a.say("Synthesize is reading Mesh: your customers arrive as accounts, their products as services.")
	err := a.sess.WaitFirstSync(ctx, func(line string) { a.say("%s", line) })
	var pe *core.PullError
	if errors.As(err, &pe) {
		a.say("%s: %s.", core.Explain(err).What, core.Explain(err).Check)
		if _, pending := a.sess.Advance(core.Back); pending() != nil {
			return pending()
		}
		return nil // back to the key: paste another one
	}
	return err
}

// finalPull is step 8 connected by Mesh API key: sync now, then wait.
func (a *Prompter) finalPull(ctx context.Context) error {
	a.say("Asking Synthesize to read Mesh again (sync now): the usage of every mapped account comes with it.")
	w := a.sess.NewFinalSync()
	if err := a.sess.StartSync(ctx); err != nil {
		return err
	}
	for {
		u, err := a.sess.PollUsage(ctx)
		done, wait := w.Observe(u, err)
		switch {
		case done:
			a.say("%s.", u.Line())
			return a.advance(core.UsageArrived)
		case w.Failed() != "":
			return &core.PullError{Why: w.Failed()}
		}
		select {
		case <-ctx.Done():
			return ErrInterrupted
		case <-time.After(wait):
		}
	}
}

// syncNow is home's Sync now.
func (a *Prompter) syncNow(ctx context.Context) error {
	d, err := a.sess.SyncNow(ctx, func(line string) { a.say("%s", line) })
	if err != nil {
		a.say("%s: %s.", core.Explain(err).What, core.Explain(err).Check)
		return nil
	}
	a.say("Synthesize read Mesh: status %s, %s.", text.Sanitize(d.Status), text.Count(d.Counts.Accounts, "account", "accounts"))
	return nil
}

// replace is home's Replace the Mesh API key.
func (a *Prompter) replace(ctx context.Context) error {
	if _, pending := a.sess.Advance(core.ReplaceMeshKey); pending() != nil {
		return pending()
	}
	if err := a.apiKeys(); err != nil {
		return err
	}
	if err := a.meshKey(ctx); err != nil {
		return err
	}
	if err := a.sess.WaitFirstSync(ctx, func(line string) { a.say("%s", line) }); err != nil {
		return err
	}
	a.say("Synthesize read Mesh with the new key (…%s).", text.Sanitize(a.sess.Progress().KeyHint))
	return nil
}
