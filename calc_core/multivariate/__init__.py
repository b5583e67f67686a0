"""Derivatives of several variables, in one namespace: symbolic (gradient, Hessian, Jacobian, the
total derivative along a path), on grids and at points (gradient fields, directional
derivatives, tangent planes, steepest paths), the Jacobian's pictures (deformed grids, JVP,
VJP), the Hessian's (curvatures, Taylor models, Newton steps) and critical points.

Shapes follow autograd and JAX: the gradient of a scalar over ``n`` variables has ``n``
entries, the Hessian is ``(n, n)``, and the Jacobian of ``m`` outputs is ``(m, n)``. Grids
follow plotly and ``numpy.meshgrid``: ``z[j, i] = f(x[i], y[j])``, rows along y.
"""

from calc_core.multivariate.critical import *  # noqa: F403
from calc_core.multivariate.critical import __all__ as _critical
from calc_core.multivariate.curvature import *  # noqa: F403
from calc_core.multivariate.curvature import __all__ as _curvature
from calc_core.multivariate.fields import *  # noqa: F403
from calc_core.multivariate.fields import __all__ as _fields
from calc_core.multivariate.jacobians import *  # noqa: F403
from calc_core.multivariate.jacobians import __all__ as _jacobians
from calc_core.multivariate.symbolic import *  # noqa: F403
from calc_core.multivariate.symbolic import __all__ as _symbolic

__all__ = sorted({*_symbolic, *_fields, *_jacobians, *_curvature, *_critical})
