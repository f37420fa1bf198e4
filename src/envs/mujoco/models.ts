/**
 * MJCF models of Gymnasium's v5 locomotion envs, written for strl from the parameters of Gymnasium 1.x's default
 * model files (`hopper.xml`, `walker2d_v5.xml`, `half_cheetah.xml`): the same bodies, joints, geoms, actuators,
 * defaults and options, numbers kept to the digit (the odd-looking 0.19999999999999996 etc. are those files' values).
 * Visual-only parts (textures, materials, lights, cameras) are left out: they do not enter the dynamics, and the
 * browser page draws its own side view. `test/envs/mujoco/parity.test.ts` checks trajectories against Gymnasium.
 */

/** Hopper-v5: torso, thigh, leg, foot in the x-z plane; three hinge motors of gear 200; RK4 at 2 ms. */
export const HOPPER_XML = `<mujoco model="hopper">
  <compiler angle="degree" inertiafromgeom="true"/>
  <default>
    <joint armature="1" damping="1" limited="true"/>
    <geom conaffinity="1" condim="1" contype="1" margin="0.001" rgba="0.8 0.6 0.4 1" solimp="0.8 0.8 0.01" solref="0.02 1"/>
    <motor ctrllimited="true" ctrlrange="-0.4 0.4"/>
  </default>
  <option integrator="RK4" timestep="0.002"/>
  <worldbody>
    <geom name="floor" type="plane" conaffinity="1" condim="3" pos="0 0 0" size="20 20 0.125" rgba="0.8 0.9 0.8 1"/>
    <body name="torso" pos="0 0 1.25">
      <joint name="rootx" type="slide" axis="1 0 0" pos="0 0 -1.25" armature="0" damping="0" limited="false" stiffness="0"/>
      <joint name="rootz" type="slide" axis="0 0 1" pos="0 0 -1.25" ref="1.25" armature="0" damping="0" limited="false" stiffness="0"/>
      <joint name="rooty" type="hinge" axis="0 1 0" pos="0 0 0" armature="0" damping="0" limited="false" stiffness="0"/>
      <geom name="torso_geom" type="capsule" size="0.05 0.19999999999999996" friction="0.9"/>
      <body name="thigh" pos="0 0 -0.19999999999999996">
        <joint name="thigh_joint" type="hinge" axis="0 -1 0" pos="0 0 0" range="-150 0"/>
        <geom name="thigh_geom" type="capsule" pos="0 0 -0.22500000000000009" size="0.05 0.22500000000000003" friction="0.9"/>
        <body name="leg" pos="0 0 -0.70000000000000007">
          <joint name="leg_joint" type="hinge" axis="0 -1 0" pos="0 0 0.25" range="-150 0"/>
          <geom name="leg_geom" type="capsule" size="0.04 0.25" friction="0.9"/>
          <body name="foot" pos="0.13 0 -0.35">
            <joint name="foot_joint" type="hinge" axis="0 -1 0" pos="-0.13 0 0.1" range="-45 45"/>
            <geom name="foot_geom" type="capsule" pos="-0.065 0 0.1" quat="0.70710678118654757 0 -0.70710678118654746 0" size="0.06 0.195" friction="2.0"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor joint="thigh_joint" gear="200.0" ctrllimited="true" ctrlrange="-1.0 1.0"/>
    <motor joint="leg_joint" gear="200.0" ctrllimited="true" ctrlrange="-1.0 1.0"/>
    <motor joint="foot_joint" gear="200.0" ctrllimited="true" ctrlrange="-1.0 1.0"/>
  </actuator>
</mujoco>
`;

/** One Walker2d leg (right: thigh, leg, foot; left: the same with a suffix and another colour). */
function walkerLeg(suffix: string, rgba: string): string {
  const c = rgba ? ` rgba="${rgba}"` : "";
  return `      <body name="thigh${suffix}" pos="0 0 -0.19999999999999996">
        <joint name="thigh${suffix}_joint" type="hinge" axis="0 -1 0" pos="0 0 0" range="-150 0"/>
        <geom name="thigh${suffix}_geom" type="capsule" pos="0 0 -0.22500000000000009" size="0.050000000000000003 0.22500000000000003" friction="0.9"${c}/>
        <body name="leg${suffix}" pos="0 0 -0.70000000000000007">
          <joint name="leg${suffix}_joint" type="hinge" axis="0 -1 0" pos="0 0 0.25" range="-150 0"/>
          <geom name="leg${suffix}_geom" type="capsule" size="0.040000000000000001 0.25" friction="0.9"${c}/>
          <body name="foot${suffix}" pos="0.20000000000000001 0 -0.34999999999999998">
            <joint name="foot${suffix}_joint" type="hinge" axis="0 -1 0" pos="-0.20000000000000001 0 0.10000000000000001" range="-45 45"/>
            <geom name="foot${suffix}_geom" type="capsule" pos="-0.10000000000000001 0 0.10000000000000001" quat="0.70710678118654757 0 -0.70710678118654746 0" size="0.059999999999999998 0.10000000000000001" friction="1.9"${c}/>
          </body>
        </body>
      </body>
`;
}

/** Walker2d-v5: torso and two legs (right, then left); six hinge motors of gear 100; both feet friction 1.9. */
export const WALKER2D_XML = `<mujoco model="walker2d">
  <compiler angle="degree" inertiafromgeom="true"/>
  <default>
    <joint armature="0.01" damping="0.1" limited="true"/>
    <geom conaffinity="0" condim="3" contype="1" density="1000" friction="0.7 0.1 0.1" rgba="0.8 0.6 0.4 1"/>
  </default>
  <option integrator="RK4" timestep="0.002"/>
  <worldbody>
    <geom name="floor" type="plane" conaffinity="1" condim="3" pos="0 0 0" size="40 40 40" rgba="0.8 0.9 0.8 1"/>
    <body name="torso" pos="0 0 1.25">
      <joint name="rootx" type="slide" axis="1 0 0" pos="0 0 -1.25" armature="0" damping="0" limited="false" stiffness="0"/>
      <joint name="rootz" type="slide" axis="0 0 1" pos="0 0 -1.25" ref="1.25" armature="0" damping="0" limited="false" stiffness="0"/>
      <joint name="rooty" type="hinge" axis="0 1 0" pos="0 0 0" armature="0" damping="0" limited="false" stiffness="0"/>
      <geom name="torso_geom" type="capsule" size="0.050000000000000003 0.19999999999999996" friction="0.9"/>
${walkerLeg("", "")}${walkerLeg("_left", "0.7 0.3 0.6 1")}    </body>
  </worldbody>
  <actuator>
    <motor joint="thigh_joint" gear="100" ctrllimited="true" ctrlrange="-1.0 1.0"/>
    <motor joint="leg_joint" gear="100" ctrllimited="true" ctrlrange="-1.0 1.0"/>
    <motor joint="foot_joint" gear="100" ctrllimited="true" ctrlrange="-1.0 1.0"/>
    <motor joint="thigh_left_joint" gear="100" ctrllimited="true" ctrlrange="-1.0 1.0"/>
    <motor joint="leg_left_joint" gear="100" ctrllimited="true" ctrlrange="-1.0 1.0"/>
    <motor joint="foot_left_joint" gear="100" ctrllimited="true" ctrlrange="-1.0 1.0"/>
  </actuator>
</mujoco>
`;

/** HalfCheetah-v5: torso with head, back and front legs of three hinges each (springs); Euler at 10 ms; 14 kg. */
export const HALF_CHEETAH_XML = `<mujoco model="cheetah">
  <compiler angle="radian" coordinate="local" inertiafromgeom="true" settotalmass="14"/>
  <default>
    <joint armature="0.1" damping="0.01" limited="true" solimplimit="0 0.8 0.03" solreflimit="0.02 1" stiffness="8"/>
    <geom conaffinity="0" condim="3" contype="1" friction="0.4 0.1 0.1" rgba="0.8 0.6 0.4 1" solimp="0.0 0.8 0.01" solref="0.02 1"/>
    <motor ctrllimited="true" ctrlrange="-1 1"/>
  </default>
  <option gravity="0 0 -9.81" timestep="0.01"/>
  <worldbody>
    <geom name="floor" type="plane" conaffinity="1" condim="3" pos="0 0 0" size="40 40 40" rgba="0.8 0.9 0.8 1"/>
    <body name="torso" pos="0 0 0.7">
      <joint name="rootx" type="slide" axis="1 0 0" pos="0 0 0" armature="0" damping="0" limited="false" stiffness="0"/>
      <joint name="rootz" type="slide" axis="0 0 1" pos="0 0 0" armature="0" damping="0" limited="false" stiffness="0"/>
      <joint name="rooty" type="hinge" axis="0 1 0" pos="0 0 0" armature="0" damping="0" limited="false" stiffness="0"/>
      <geom name="torso" type="capsule" fromto="-0.5 0 0 0.5 0 0" size="0.046"/>
      <geom name="head" type="capsule" axisangle="0 1 0 0.87" pos="0.6 0 0.1" size="0.046 0.15"/>
      <body name="bthigh" pos="-0.5 0 0">
        <joint name="bthigh" type="hinge" axis="0 1 0" pos="0 0 0" damping="6" range="-0.52 1.05" stiffness="240"/>
        <geom name="bthigh" type="capsule" axisangle="0 1 0 -3.8" pos="0.1 0 -0.13" size="0.046 0.145"/>
        <body name="bshin" pos="0.16 0 -0.25">
          <joint name="bshin" type="hinge" axis="0 1 0" pos="0 0 0" damping="4.5" range="-0.785 0.785" stiffness="180"/>
          <geom name="bshin" type="capsule" axisangle="0 1 0 -2.03" pos="-0.14 0 -0.07" rgba="0.9 0.6 0.6 1" size="0.046 0.15"/>
          <body name="bfoot" pos="-0.28 0 -0.14">
            <joint name="bfoot" type="hinge" axis="0 1 0" pos="0 0 0" damping="3" range="-0.4 0.785" stiffness="120"/>
            <geom name="bfoot" type="capsule" axisangle="0 1 0 -0.27" pos="0.03 0 -0.097" rgba="0.9 0.6 0.6 1" size="0.046 0.094"/>
          </body>
        </body>
      </body>
      <body name="fthigh" pos="0.5 0 0">
        <joint name="fthigh" type="hinge" axis="0 1 0" pos="0 0 0" damping="4.5" range="-1 0.7" stiffness="180"/>
        <geom name="fthigh" type="capsule" axisangle="0 1 0 0.52" pos="-0.07 0 -0.12" size="0.046 0.133"/>
        <body name="fshin" pos="-0.14 0 -0.24">
          <joint name="fshin" type="hinge" axis="0 1 0" pos="0 0 0" damping="3" range="-1.2 0.87" stiffness="120"/>
          <geom name="fshin" type="capsule" axisangle="0 1 0 -0.6" pos="0.065 0 -0.09" rgba="0.9 0.6 0.6 1" size="0.046 0.106"/>
          <body name="ffoot" pos="0.13 0 -0.18">
            <joint name="ffoot" type="hinge" axis="0 1 0" pos="0 0 0" damping="1.5" range="-0.5 0.5" stiffness="60"/>
            <geom name="ffoot" type="capsule" axisangle="0 1 0 -0.6" pos="0.045 0 -0.07" rgba="0.9 0.6 0.6 1" size="0.046 0.07"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="bthigh" joint="bthigh" gear="120"/>
    <motor name="bshin" joint="bshin" gear="90"/>
    <motor name="bfoot" joint="bfoot" gear="60"/>
    <motor name="fthigh" joint="fthigh" gear="120"/>
    <motor name="fshin" joint="fshin" gear="60"/>
    <motor name="ffoot" joint="ffoot" gear="30"/>
  </actuator>
</mujoco>
`;
