package core

import (
	"errors"
	"fmt"
	"strings"
)

// InputError is bad input from the user or a file: a command's usage, or
// rows of an import. Its message lists every problem.
type InputError struct{ Problems []string }

func (e *InputError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0]
	}
	return fmt.Sprintf("%d problems:\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// Input is an InputError of one problem.
func Input(format string, args ...any) error {
	return &InputError{Problems: []string{fmt.Sprintf(format, args...)}}
}

// IsInputError reports whether err is bad input (a script's exit status 2).
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}
